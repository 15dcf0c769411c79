local step(name, cmd) = {
  name: name,
  commands: [cmd],
};

local pipeline(name) = {
  kind: 'pipeline',
  type: 'exec',
  name: name,
  clone: { disable: true },
  steps: [
    step('greet', 'echo jsonnet on ' + std.extVar('build.branch')),
    step('repo', 'echo repo ' + std.extVar('repo.slug')),
  ],
};

[
  pipeline('one'),
  pipeline('two'),
]
