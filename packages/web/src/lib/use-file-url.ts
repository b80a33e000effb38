import { useParlorClient, type FileInfo } from "@parlor/react";
import { useEffect, useState } from "react";

/**
 * The address to show or download a file from. With the session cookie (the web UI) it is the
 * file's own `url`: the cookie rides along with a plain `<img src>`. In bearer mode (the chat
 * embedded in another site) an `<img>` has no credential to send, so it is a signed link
 * (`signedFileUrl`), `null` while it is being fetched or when it could not be.
 */
export function useFileUrl(file: FileInfo): string | null {
  const client = useParlorClient();
  const bearer = client.auth.isBearer;
  const [signed, setSigned] = useState<{ id: string; url: string } | null>(null);

  useEffect(() => {
    if (!bearer) return;
    let current = true;
    client.signedFileUrl(file.id).then(
      ({ url }) => {
        if (current) setSigned({ id: file.id, url });
      },
      () => {
        // Shown as a file without a link; the chat's own error banner covers a lost session.
      },
    );
    return () => {
      current = false;
    };
  }, [client, bearer, file.id]);

  if (!bearer) return file.url;
  return signed?.id === file.id ? signed.url : null;
}
