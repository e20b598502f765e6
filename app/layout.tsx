import type { Metadata } from "next";
import type { ReactNode } from "react";

import "./globals.css";

// Every page reads the session or the database, so none is prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Encryption keys", template: "%s · Platform dashboard" },
  description: "Connect your own AWS KMS key to encrypt your data at rest.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
