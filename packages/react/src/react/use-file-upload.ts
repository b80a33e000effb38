import type { FileInfo, FileUploadState, UploadOptions } from "@parlor/client";
import { useState } from "react";
import { useParlorClient } from "./use-parlor-client.js";
import { useStore } from "./use-store.js";

export interface UseFileUploadResult extends FileUploadState {
  /** Uploads a file; resolves with `{ id, name, mime, size, url }`. Rejects with `ParlorApiError`, also put in `error`. */
  upload(file: Blob, options?: UploadOptions): Promise<FileInfo>;
  /** The URL of a stored file, usable as `<img src>` on the server's own origin (the cookie rides along); from another origin use `useFileSource`. */
  fileUrl(fileId: string): string;
}

/**
 * File uploads with progress (`POST /api/files`). Send the returned ids with
 * `useChat().send(text, fileIds)`.
 *
 * @example
 * function Attach({ onFile }: { onFile: (id: string) => void }) {
 *   const { upload, progress, isUploading } = useFileUpload();
 *   return (
 *     <>
 *       <input type="file" onChange={async (e) => onFile((await upload(e.target.files![0]!)).id)} />
 *       {isUploading ? <progress value={progress} /> : null}
 *     </>
 *   );
 * }
 */
export function useFileUpload(): UseFileUploadResult {
  const client = useParlorClient();
  const [store] = useState(() => client.createFileUpload());
  const state = useStore(store);
  return { ...state, upload: store.upload, fileUrl: (fileId) => client.fileUrl(fileId) };
}
