import { ParlorApiError, type FileSource } from "@parlor/client";
import { useEffect, useState } from "react";
import { useParlorClient } from "./use-parlor-client.js";

export interface UseFileSourceResult {
  /** The URL to load, `undefined` while a signed URL is on its way (bearer mode) or without a file. */
  src: string | undefined;
  /** Set it on the element with `src`: the load then works from any origin the server allows. */
  crossOrigin: FileSource["crossOrigin"] | undefined;
  /** Why no URL came (bearer mode: the signed URL was refused). */
  error: ParlorApiError | null;
}

const NONE: UseFileSourceResult = { src: undefined, crossOrigin: undefined, error: null };

/**
 * How to show a stored file, the same in both auth modes and on any allowed origin (a
 * separate frontend): `client.fileSource(id)` as React state. Cookie mode answers at once;
 * bearer mode fetches a signed URL first.
 *
 * @example
 * function Picture({ file }: { file: FileInfo }) {
 *   const { src, crossOrigin } = useFileSource(file.id);
 *   return src ? <img src={src} crossOrigin={crossOrigin} alt={file.name} /> : null;
 * }
 */
export function useFileSource(fileId: string | null): UseFileSourceResult {
  const client = useParlorClient();
  // Cookie mode needs no request: the first render already has the URL.
  const immediate = fileId !== null && !client.auth.isBearer;
  const [loaded, setLoaded] = useState<{ fileId: string; result: UseFileSourceResult } | null>(null);
  useEffect(() => {
    if (fileId === null || !client.auth.isBearer) return;
    let current = true;
    client.fileSource(fileId).then(
      ({ url, crossOrigin }) => current && setLoaded({ fileId, result: { src: url, crossOrigin, error: null } }),
      (error: unknown) => {
        const apiError = error instanceof ParlorApiError ? error : new ParlorApiError("internal", "Could not get the file's URL", { cause: error });
        if (current) setLoaded({ fileId, result: { ...NONE, error: apiError } });
      },
    );
    return () => {
      current = false;
    };
  }, [client, fileId]);
  if (fileId === null) return NONE;
  if (immediate) return { src: client.fileUrl(fileId), crossOrigin: "use-credentials", error: null };
  return loaded?.fileId === fileId ? loaded.result : NONE;
}
