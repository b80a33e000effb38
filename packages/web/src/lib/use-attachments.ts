import { ParlorApiError, useFileUpload, type FileInfo } from "@parlor/react";
import { useCallback, useEffect, useRef, useState } from "react";

/** A file picked for the next message: uploading, uploaded, or failed. */
export interface Attachment {
  key: string;
  name: string;
  size: number;
  status: "uploading" | "ready" | "failed";
  /** The stored file once uploaded. */
  file: FileInfo | null;
  error: unknown;
  /** A `blob:` URL for an image's thumbnail (the CSP allows `img-src blob:`). */
  previewUrl: string | null;
}

export interface UseAttachmentsResult {
  items: readonly Attachment[];
  /** Upload progress over the files in flight, 0..1. */
  progress: number;
  isUploading: boolean;
  add(files: Iterable<File>): void;
  remove(key: string): void;
  /**
   * Takes the uploaded files for sending, out of the list: `restore` puts them back (the send
   * failed), `release` frees their thumbnails (it worked).
   */
  take(): { files: FileInfo[]; restore(): void; release(): void };
}

const PREVIEWABLE = /^image\/(png|jpeg|gif|webp)$/;
let seq = 0;

/**
 * The attachments of the message being written. Each file starts uploading as soon as it is
 * picked (`POST /api/files`), so sending is instant; removing one cancels its upload. A file
 * over the server's limit (`maxUploadBytes`, 0: unknown) fails at once, as the server would
 * (413 `payload_too_large`), without sending its bytes.
 */
export function useAttachments(maxUploadBytes = 0): UseAttachmentsResult {
  const uploader = useFileUpload();
  const { upload } = uploader;
  const [items, setItems] = useState<Attachment[]>([]);
  const controllers = useRef(new Map<string, AbortController>());
  const itemsRef = useRef(items);
  itemsRef.current = items;

  const update = useCallback((key: string, changes: Partial<Attachment>) => {
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...changes } : item)));
  }, []);

  const add = useCallback(
    (files: Iterable<File>) => {
      for (const file of files) {
        const key = `attachment-${++seq}`;
        if (maxUploadBytes > 0 && file.size > maxUploadBytes) {
          const error = new ParlorApiError("payload_too_large", "File too large", { status: 413 });
          setItems((list) => [...list, { key, name: file.name, size: file.size, status: "failed", file: null, error, previewUrl: null }]);
          continue;
        }
        const controller = new AbortController();
        controllers.current.set(key, controller);
        const previewUrl = PREVIEWABLE.test(file.type) ? URL.createObjectURL(file) : null;
        setItems((list) => [...list, { key, name: file.name, size: file.size, status: "uploading", file: null, error: null, previewUrl }]);
        upload(file, { signal: controller.signal })
          .then((stored) => update(key, { status: "ready", file: stored }))
          .catch((error: unknown) => {
            if (!controller.signal.aborted) update(key, { status: "failed", error });
          })
          .finally(() => controllers.current.delete(key));
      }
    },
    [upload, update, maxUploadBytes],
  );

  const remove = useCallback((key: string) => {
    controllers.current.get(key)?.abort();
    const item = itemsRef.current.find((candidate) => candidate.key === key);
    if (item?.previewUrl) URL.revokeObjectURL(item.previewUrl);
    setItems((list) => list.filter((candidate) => candidate.key !== key));
  }, []);

  const take = useCallback(() => {
    const taken = itemsRef.current.filter((item) => item.status === "ready");
    setItems((list) => list.filter((item) => item.status !== "ready"));
    return {
      files: taken.map((item) => item.file!),
      restore: () => setItems((list) => [...taken, ...list]),
      release: () => {
        for (const item of taken) if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
      },
    };
  }, []);

  // Leaving the page: stop uploads, free thumbnails.
  useEffect(
    () => () => {
      for (const controller of controllers.current.values()) controller.abort();
      for (const item of itemsRef.current) if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
    },
    [],
  );

  return { items, progress: uploader.progress, isUploading: items.some((item) => item.status === "uploading"), add, remove, take };
}
