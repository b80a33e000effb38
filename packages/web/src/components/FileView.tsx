import { useFileSource, type FileInfo } from "@parlor/react";
import type { ReactNode } from "react";
import { useI18n } from "../i18n";
import { formatBytes } from "../lib/format";
import { useSidePanel } from "../rich/side-panel";
import { DownloadIcon, ExpandIcon, FileIcon } from "./icons";

/** Raster images the browser shows inline; the server serves these inline too. */
const INLINE_IMAGES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** How a file of this type is shown in a message. */
function fileDisplay(mime: string, framed: boolean): "image" | "pdf" | "audio" | "video" | "download" {
  if (INLINE_IMAGES.has(mime)) return "image";
  // The server lets only this app's own pages frame a PDF (`frame-ancestors 'self'`): inside
  // another site's page (the embedded chat) the frame would be refused, so it is a download there.
  if (mime === "application/pdf") return framed ? "download" : "pdf";
  if (/^audio\//.test(mime)) return "audio";
  if (/^video\//.test(mime)) return "video";
  return "download";
}

/** Whether this page is inside another page's frame (the embedded chat). */
const insideFrame = () => window.self !== window.top;

/**
 * A file of a message: an image, audio or video inline (the session cookie rides along, or in
 * the embedded chat a signed link: `useFileSource`); a PDF in a frame of this origin, with
 * "Open in panel" for a larger view; anything else a download link.
 */
export function FileView({ file }: { file: FileInfo }) {
  const { t } = useI18n();
  const panel = useSidePanel();
  const { src: url, crossOrigin } = useFileSource(file.id);
  const display = url === undefined ? "download" : fileDisplay(file.mime, insideFrame());
  const size = formatBytes(file.size, t.locale);
  switch (display) {
    case "image":
      return (
        <a className="file-image" href={url} target="_blank" rel="noopener noreferrer" title={`${file.name} (${size})`}>
          <img src={url} crossOrigin={crossOrigin} alt={file.name} loading="lazy" />
        </a>
      );
    case "audio":
      return (
        <figure className="file-media">
          <audio controls preload="metadata" src={url} crossOrigin={crossOrigin} aria-label={file.name} />
          <FileCaption name={file.name} size={size} url={url} />
        </figure>
      );
    case "video":
      return (
        <figure className="file-media file-video">
          <video controls preload="metadata" src={url} crossOrigin={crossOrigin} aria-label={file.name} />
          <FileCaption name={file.name} size={size} url={url} />
        </figure>
      );
    case "pdf": {
      const frame = <iframe className="file-pdf-frame" src={url} title={file.name} loading="lazy" />;
      return (
        <figure className="file-media file-pdf">
          {frame}
          <FileCaption name={file.name} size={size} url={url}>
            {panel ? (
              <button
                type="button"
                className="icon-button icon-button-small"
                aria-label={t("file.open", { name: file.name })}
                title={t("file.open", { name: file.name })}
                onClick={() => panel.open({ title: file.name, body: <iframe className="side-panel-frame" src={url} title={file.name} /> })}
              >
                <ExpandIcon />
              </button>
            ) : null}
          </FileCaption>
        </figure>
      );
    }
    default:
      return (
        <a className="file-card" href={url} download={file.name}>
          <span className="file-card-icon" aria-hidden="true">
            <FileIcon />
          </span>
          <span className="file-card-text">
            <span className="file-card-name">{file.name}</span>
            <span className="file-card-meta">{size}</span>
          </span>
          <DownloadIcon />
        </a>
      );
  }
}

/** Under an inline file: its name and size, a download link, and any extra action. */
function FileCaption({ name, size, url, children }: { name: string; size: string; url: string | undefined; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <figcaption className="file-media-caption">
      <span className="file-card-name">{name}</span>
      <span className="file-card-meta">{size}</span>
      {children}
      <a className="icon-button icon-button-small" href={url} download={name} aria-label={t("file.download", { name })} title={t("file.download", { name })}>
        <DownloadIcon />
      </a>
    </figcaption>
  );
}
