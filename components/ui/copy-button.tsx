"use client";

import { useState } from "react";

/** Copies `text` to the clipboard and confirms it for two seconds. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const [failed, setFailed] = useState(false);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setFailed(false);
      setTimeout(() => setCopied(false), 2_000);
    } catch {
      setFailed(true);
    }
  }

  let buttonText = label;
  if (copied) buttonText = "Copied";
  else if (failed) buttonText = "Select and copy by hand";

  return (
    <button
      type="button"
      onClick={copy}
      className="rounded-md bg-white px-2 py-1 text-xs font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
    >
      <span aria-live="polite">{buttonText}</span>
    </button>
  );
}
