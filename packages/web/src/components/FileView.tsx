import { useFileSource, type FileInfo } from "@parlor/react";
import { formatBytes } from "../lib/format";
import { DownloadIcon, FileIcon } from "./icons";

/** Raster images the browser shows inline; the server serves these inline too. */
const INLINE_IMAGES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

export function isInlineImage(file: FileInfo): boolean {
  return INLINE_IMAGES.has(file.mime);
}

/**
 * A file of a message: an image inline (the session cookie rides along, or in the embedded
 * chat a signed link: `useFileSource`), anything else a download link. Never an `<iframe>`
 * or `<object>`.
 */
export function FileView({ file }: { file: FileInfo }) {
  const { src: url, crossOrigin } = useFileSource(file.id);
  if (isInlineImage(file) && url !== undefined) {
    return (
      <a className="file-image" href={url} target="_blank" rel="noopener noreferrer" title={`${file.name} (${formatBytes(file.size)})`}>
        <img src={url} crossOrigin={crossOrigin} alt={file.name} loading="lazy" />
      </a>
    );
  }
  return (
    <a className="file-card" href={url} download={file.name}>
      <span className="file-card-icon" aria-hidden="true">
        <FileIcon />
      </span>
      <span className="file-card-text">
        <span className="file-card-name">{file.name}</span>
        <span className="file-card-meta">{formatBytes(file.size)}</span>
      </span>
      <DownloadIcon />
    </a>
  );
}
