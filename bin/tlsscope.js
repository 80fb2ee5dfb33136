#!/usr/bin/env node
// Kept tiny on purpose: everything lives in dist/src/cli (compiled by `npm ci` through `prepare`).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv.slice(2)), (err) => {
  process.stderr.write(`tlsscope: not built (${err && err.code ? err.code : err}); run \`npm ci\` or \`npm run build\`\n`);
  process.exitCode = 1;
});
