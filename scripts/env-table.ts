/** npm run env:table — prints the configuration table for the README from the code's env specs. */
import { fullEnvSpec } from '../gateway/src/config.ts';

console.log('| Variable | Default | Allowed | What it does |');
console.log('|---|---|---|---|');
for (const [name, v] of Object.entries(fullEnvSpec())) {
  const def = v.default === undefined ? '—' : `\`${v.default}\``;
  console.log(
    `| \`${name}\` | ${def} | ${v.allowed} | ${v.description}${v.secret ? ' (secret: never logged)' : ''} |`,
  );
}
