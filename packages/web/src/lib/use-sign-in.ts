import { useAuth, useParlorClient } from "@parlor/react";
import { useEffect, useRef, useState } from "react";
import { takeOAuthErrorFromUrl } from "./describe-error";
import { hasSignedOutOnPurpose } from "./sign-out-intent";
import { useAction, type ActionResult } from "./use-action";

/** The sign-in methods that are attempted from this page (OAuth leaves it for the provider). */
export type SignInMethod = "password" | "header";

export interface SignIn {
  withPassword(username: string, password: string): Promise<ActionResult<unknown>>;
  withHeader(): Promise<ActionResult<unknown>>;
  /** The method of the attempt in flight, `null` when none is. */
  pending: SignInMethod | null;
  /** The failure of the latest attempt; at first, an OAuth failure handed back in the URL. */
  error: unknown;
}

/**
 * The login page's attempts: one error for all methods (the latest attempt's), and
 * trusted-header login tried once on load when the server offers it, unless the user has just
 * signed out (it would sign them straight back in).
 */
export function useSignIn({ header }: { header: boolean }): SignIn {
  const client = useParlorClient();
  const { login } = useAuth();
  const [method, setMethod] = useState<SignInMethod>("password");
  const attempt = useAction(
    (how: { method: "password"; username: string; password: string } | { method: "header" }) =>
      how.method === "password" ? login(how.username, how.password) : client.auth.loginWithHeader(),
    { initialError: takeOAuthErrorFromUrl },
  );
  const { run } = attempt;

  const triedHeader = useRef(false);
  useEffect(() => {
    if (!header || triedHeader.current || hasSignedOutOnPurpose()) return;
    triedHeader.current = true;
    setMethod("header");
    void run({ method: "header" });
  }, [header, run]);

  return {
    withPassword(username, password) {
      setMethod("password");
      return run({ method: "password", username, password });
    },
    withHeader() {
      setMethod("header");
      return run({ method: "header" });
    },
    pending: attempt.pending ? method : null,
    error: attempt.error,
  };
}
