import { webcrypto } from "node:crypto";

/**
 * Under `@vitest-environment jsdom`, Vitest replaces `Uint8Array`, `ArrayBuffer` and `crypto`
 * with jsdom's, so Node's own buffers fail `instanceof Uint8Array` and the server's JWT
 * library refuses its keys. A test server runs in the test's process: give it Node's back.
 * (jsdom keeps its own realm internally; React and the client code do not care.) Outside jsdom
 * this changes nothing.
 */
export function useNodeRealmGlobals(): void {
  const nodeGlobals = {
    Uint8Array: Object.getPrototypeOf(Buffer.prototype).constructor as Uint8ArrayConstructor,
    ArrayBuffer: Buffer.alloc(1).buffer.constructor as ArrayBufferConstructor,
    crypto: webcrypto as unknown as Crypto,
  };
  for (const [name, value] of Object.entries(nodeGlobals)) {
    if ((globalThis as Record<string, unknown>)[name] !== value) {
      Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
    }
  }
}
