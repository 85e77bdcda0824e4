// Who may import whom (docs/architecture.md). `npm run lint:deps` checks it; `npm test` runs it first.
const allow = (from, to) => ({
  name: `${from}-imports-only-${to.join('-') || 'nothing'}`,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: { path: '^src/', pathNot: [`^src/${from}/`, ...to.map((m) => `^src/${m}/`)] },
});

module.exports = {
  forbidden: [
    // Wire types (spec/) refer to each other freely: a type-only cycle there costs nothing.
    { name: 'no-cycles', severity: 'error', from: { path: '^src/', pathNot: '^src/spec/' }, to: { circular: true } },
    allow('common', []),
    allow('spec', ['common']),
    allow('image', ['spec', 'common']),
    allow('network', ['spec', 'common']),
    allow('volume', ['spec', 'common']),
    allow('runtime', ['spec', 'common']),
    allow('registry/client', ['spec', 'common']),
    allow('build/dockerfile', ['spec', 'common']),
    allow('registry/server', ['image', 'spec', 'common']),
    allow('build', ['build/dockerfile', 'image', 'spec', 'common']),
    allow('engine', ['image', 'build', 'registry/client', 'network', 'volume', 'runtime', 'spec', 'common']),
    allow('api', ['spec', 'common']),
    allow('client', ['spec', 'common']),
    allow('cli', ['client', 'spec', 'common']),
    allow('compose', ['client', 'spec', 'common']),
    allow('runtime-cli', ['runtime', 'spec', 'common']),
    allow('berthd', ['api', 'engine', 'image', 'registry/server', 'spec', 'common']),
    allow('registry-cli', ['registry/server', 'spec', 'common']),
    {
      name: 'through-index',
      comment: 'another module is imported through its index.ts (spec and common are plain type/helper files)',
      severity: 'error',
      // 'registry/client, registry/server and build/dockerfile are modules of their own, each with an index.ts',
      from: { path: '^src/(registry/[^/]+|build/dockerfile|[^/]+)/' },
      to: {
        path: '^src/',
        pathNot: ['^src/$1/', '^src/(registry/[^/]+|build/dockerfile)/index\\.ts$', '^src/(?!registry/)[^/]+/index\\.ts$', '^src/(spec|common)/'],
      },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$|\\.testkit\\.ts$|/testing\\.ts$|fake-' },
    tsPreCompilationDeps: true,
  },
};
