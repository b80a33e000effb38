/**
 * Whether the user has just signed out on purpose (Sign out, Sign out everywhere, revoking
 * this device). The app then shows a plain login page: no "your session ended" notice, no
 * return to the last chat, and no automatic header login that would sign them straight back in.
 */
let signedOutOnPurpose = false;

/** Runs a sign-out action with the intent noted; forgets it again if the action fails. */
export async function signOutOnPurpose(action: () => Promise<void>): Promise<void> {
  signedOutOnPurpose = true;
  try {
    await action();
  } catch (error) {
    signedOutOnPurpose = false;
    throw error;
  }
}

export function hasSignedOutOnPurpose(): boolean {
  return signedOutOnPurpose;
}

/** Called once a new session starts. */
export function clearSignOutIntent(): void {
  signedOutOnPurpose = false;
}
