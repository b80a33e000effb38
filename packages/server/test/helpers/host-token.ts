// The embedding suites' host tokens come from the test kit; the web UI's browser tests mint them too.
export { mintHostToken, TEST_EMBED_SECRET as EMBED_SECRET, type MintOptions } from "@parlor/test-support";

/** The host site the server suites configure as the embedding's origin. */
export const HOST_ORIGIN = "https://shop.example";
