#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded on machines
# without access to Prisma's binary host. `prisma generate` only needs a path to exist.
echo "Prisma's schema engine is not installed here. Apply migrations with: npm run db:migrate" >&2
exit 1
