import type { UploadResponse } from "@parlor/protocol";
import { transportError, type RawResponse } from "./api-client.js";
import type { ParlorApiError } from "./api-error.js";
import { toApiError, type AuthStore } from "./auth-store.js";
import { fileInfo } from "./narrow.js";
import { Store } from "./store.js";

export interface UploadOptions {
  /** The thread the file belongs to; sent as the multipart field `threadId` before the file. */
  threadId?: string;
  signal?: AbortSignal;
}

export interface FileUploadState {
  /** 0..1 over the uploads in flight (bytes sent / bytes to send); 1 after the last one. */
  progress: number;
  isUploading: boolean;
  error: ParlorApiError | null;
}

/** A constructor of `XMLHttpRequest`-compatible objects (the browser's by default). */
export type XhrFactory = new () => XMLHttpRequest;

/**
 * Uploads with `XMLHttpRequest` (fetch cannot report upload progress) to `POST /api/files`
 * as multipart field `file`, with `withCredentials` and the CSRF header (in bearer mode: the
 * `Authorization` header and no cookies), the same 403 `csrf` refresh-once rule and 401
 * handling as every other request.
 *
 * @example
 * const uploads = client.createFileUpload();
 * const { id, url } = await uploads.upload(input.files[0], { threadId });
 */
export class FileUpload extends Store<FileUploadState> {
  private readonly inFlight = new Map<number, { loaded: number; total: number }>();
  private seq = 0;

  constructor(
    private readonly auth: AuthStore,
    private readonly Xhr: XhrFactory | undefined,
  ) {
    super({ progress: 0, isUploading: false, error: null });
  }

  /** Uploads one file. Resolves with the stored file; rejects with `ParlorApiError` (also put in `error`). */
  readonly upload = async (file: Blob, options: UploadOptions = {}): Promise<UploadResponse> => {
    const Xhr = this.Xhr;
    if (Xhr === undefined) throw new TypeError("XMLHttpRequest is not available: pass `XMLHttpRequest` to createParlorClient");
    const id = ++this.seq;
    this.inFlight.set(id, { loaded: 0, total: file.size });
    this.batch(() => {
      this.setState({ isUploading: true, error: null });
      this.updateProgress();
    });
    const url = this.auth.api.url("/api/files");
    let outcome: { file: UploadResponse; error?: undefined } | { error: ParlorApiError };
    try {
      const withCredentials = this.auth.api.usesCookies;
      const body = await this.auth.api.perform<unknown>("POST", (headers) =>
        sendWithXhr(Xhr, url, headers, withCredentials, file, options, (loaded, total) => {
          this.inFlight.set(id, { loaded, total });
          this.updateProgress();
        }),
      );
      outcome = { file: fileInfo(body) };
    } catch (error) {
      outcome = { error: toApiError(error) };
    }
    this.inFlight.delete(id);
    // The outcome, the end of the upload and the progress reach subscribers as one change.
    this.batch(() => {
      if (outcome.error !== undefined) this.setState({ error: outcome.error });
      this.setState({ isUploading: this.inFlight.size > 0 });
      if (this.inFlight.size === 0) this.setState({ progress: this.getSnapshot().error === null ? 1 : 0 });
      else this.updateProgress();
    });
    if (outcome.error !== undefined) throw outcome.error;
    return outcome.file;
  };

  private updateProgress(): void {
    let loaded = 0;
    let total = 0;
    for (const upload of this.inFlight.values()) {
      loaded += upload.loaded;
      total += upload.total;
    }
    this.setState({ progress: total === 0 ? 0 : Math.min(1, loaded / total) });
  }
}

function sendWithXhr(
  Xhr: XhrFactory,
  url: string,
  headers: Record<string, string>,
  withCredentials: boolean,
  file: Blob,
  options: UploadOptions,
  onProgress: (loaded: number, total: number) => void,
): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) return reject(transportError(signal.reason, signal));
    const xhr = new Xhr();
    xhr.open("POST", url);
    xhr.withCredentials = withCredentials;
    xhr.setRequestHeader("Accept", "application/json");
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    const abort = () => xhr.abort();
    signal?.addEventListener("abort", abort, { once: true });
    const done = () => signal?.removeEventListener("abort", abort);
    xhr.onload = () => {
      done();
      resolve({ status: xhr.status, text: xhr.responseText, header: (name) => xhr.getResponseHeader(name) });
    };
    xhr.onerror = () => {
      done();
      reject(transportError(new Error("XMLHttpRequest failed"), signal));
    };
    xhr.onabort = () => {
      done();
      reject(transportError(new Error("XMLHttpRequest aborted"), signal));
    };
    const form = new FormData();
    if (options.threadId !== undefined) form.append("threadId", options.threadId);
    const name = (file as Blob & { name?: unknown }).name;
    if (typeof name === "string") form.append("file", file, name);
    else form.append("file", file);
    xhr.send(form);
  });
}
