/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Next.js 16.5 writes an AGENTS.md into the project on every `next dev` unless configured not to.
  agentRules: false,
  devIndicators: false,
  experimental: { agentUpgrade: false },
  // Native and Node-only packages stay outside the server bundle.
  serverExternalPackages: ["@node-rs/argon2", "pg", "@prisma/adapter-pg"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
