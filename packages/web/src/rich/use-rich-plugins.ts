import { useEffect, useState } from "react";
import type { Options } from "react-markdown";
import { hasCodeBlock, hasMath } from "./detect-rich-content";

type PluginList = NonNullable<Options["remarkPlugins"]>;

interface Loaded {
  highlight?: PluginList;
  math?: { remark: PluginList; rehype: PluginList };
}

/** What has loaded, for every message rendered from now on (each chunk is fetched once). */
const loaded: Loaded = {};
let highlightLoad: Promise<void> | undefined;
let mathLoad: Promise<void> | undefined;

function loadHighlight(): Promise<void> {
  highlightLoad ??= import("./highlight-plugin").then(
    ({ rehypeHighlight }) => {
      // Only fences that name a language; guessing one for every block costs more than it shows.
      loaded.highlight = [[rehypeHighlight, { detect: false }]];
    },
    (error: unknown) => {
      highlightLoad = undefined; // a failed download is tried again by the next message
      throw error;
    },
  );
  return highlightLoad;
}

function loadMath(): Promise<void> {
  mathLoad ??= import("./math-plugins").then(
    ({ remarkMath, rehypeKatex }) => {
      // KaTeX's own safety defaults stay: `trust: false` (no \href, \url, \htmlClass), and an
      // expression it cannot parse is shown as its source in red, never thrown.
      loaded.math = { remark: [remarkMath], rehype: [rehypeKatex] };
    },
    (error: unknown) => {
      mathLoad = undefined;
      throw error;
    },
  );
  return mathLoad;
}

/**
 * The extra remark and rehype plugins a reply's text calls for: the syntax highlighter when it
 * has a fenced code block, KaTeX when it has math. Each is a chunk of its own, downloaded the
 * first time a reply needs it; until then (or if the download fails) the text renders without
 * it: code unhighlighted, math as its source.
 */
export function useRichPlugins(text: string): { remarkPlugins: PluginList; rehypePlugins: PluginList } {
  const wantsCode = hasCodeBlock(text);
  const wantsMath = hasMath(text);
  const [, setVersion] = useState(0);
  const missing = (wantsCode && loaded.highlight === undefined) || (wantsMath && loaded.math === undefined);

  useEffect(() => {
    if (!missing) return;
    let current = true;
    const loads = [wantsCode ? loadHighlight() : undefined, wantsMath ? loadMath() : undefined];
    for (const load of loads) {
      load?.then(
        () => current && setVersion((version) => version + 1),
        () => {
          // Stays plain; the next message tries again.
        },
      );
    }
    return () => {
      current = false;
    };
  }, [missing, wantsCode, wantsMath]);

  const remarkPlugins: PluginList = wantsMath && loaded.math ? loaded.math.remark : [];
  const rehypePlugins: PluginList = [...(wantsMath && loaded.math ? loaded.math.rehype : []), ...(wantsCode && loaded.highlight ? loaded.highlight : [])];
  return { remarkPlugins, rehypePlugins };
}
