import type { AppInfo } from "@parlor/protocol";
import type { ParlorApiError } from "./api-error.js";
import { toApiError, type AuthStore } from "./auth-store.js";
import { appInfo } from "./narrow.js";
import { Store } from "./store.js";

export interface AppInfoState {
  /** `GET /api/app`: welcome, starters, settings and profiles; `null` until loaded (and when logged out). */
  info: AppInfo | null;
  isLoading: boolean;
  error: ParlorApiError | null;
}

const EMPTY: AppInfoState = { info: null, isLoading: false, error: null };

/**
 * What the app offers around the chat (`GET /api/app`), loaded once per session when first
 * observed: the welcome text (written for the signed-in user), starter prompts, chat settings
 * and profiles. Empties on logout.
 *
 * @example
 * const stop = client.appInfo.subscribe(() => render(client.appInfo.getSnapshot().info?.starters));
 */
export class AppInfoStore extends Store<AppInfoState> {
  private loadedEpoch: number | null = null;
  private detach: (() => void) | null = null;

  constructor(private readonly auth: AuthStore) {
    super(EMPTY);
  }

  /** Loads again (the welcome may depend on the user's data). */
  readonly refresh = async (): Promise<void> => {
    const epoch = this.auth.epoch;
    this.setState({ isLoading: true });
    try {
      const info = appInfo(await this.auth.api.request("GET", "/api/app"));
      if (epoch === this.auth.epoch) this.setState({ info, isLoading: false, error: null });
    } catch (error) {
      if (epoch === this.auth.epoch) this.setState({ isLoading: false, error: toApiError(error) });
    }
  };

  protected override onFirstSubscribe(): void {
    this.detach = this.auth.subscribe(() => this.syncWithAuth());
    this.syncWithAuth();
  }

  protected override onLastUnsubscribe(): void {
    this.detach?.();
    this.detach = null;
  }

  private syncWithAuth(): void {
    if (!this.auth.getSnapshot().isAuthenticated) {
      this.loadedEpoch = null;
      this.setState(EMPTY);
      return;
    }
    if (this.loadedEpoch === this.auth.epoch) return;
    this.loadedEpoch = this.auth.epoch;
    void this.refresh();
  }
}
