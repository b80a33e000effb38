import type { FileInfo } from "@parlor/react";
import { FileView } from "./FileView";

/** The files of a message, the user's or a reply's: nothing when it has none. */
export function MessageFiles({ files }: { files: readonly FileInfo[] }) {
  if (files.length === 0) return null;
  return (
    <div className="message-files">
      {files.map((file) => (
        <FileView key={file.id} file={file} />
      ))}
    </div>
  );
}
