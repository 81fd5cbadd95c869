import type { AgencySimulator, SimulatorDeps } from '../../kit/simulator.ts';
import { json } from '../../kit/simulator.ts';
import { geography } from '../../kit/sweden.ts';

/**
 * PLACEHOLDER made by `npm run new-subgraph`: the offline answer of {{agency}}'s API for `npm run
 * demo`, speaking the same placeholder HTTP as client.ts (GET /municipalities/{code} →
 * `{ "summary": … }`). When you replace the client's path and shape with the real API's, change this
 * to match, built from a recorded response of the real API (see kit/simulator.ts and the other
 * subgraphs' simulators). Every value it serves is synthetic.
 */
export function create{{Pascal}}Simulator(deps: SimulatorDeps<{ {{ENV}}_API_URL: string }>): AgencySimulator {
  return {
    agency: '{{name}}',
    synthetic: true,
    note: '{{agency}} simulator (placeholder made by npm run new-subgraph): every value is synthetic',
    mounts: [
      {
        baseUrl: deps.config.{{ENV}}_API_URL,
        handle(req) {
          const match = /^\/municipalities\/(\d{4})$/.exec(req.path);
          if (req.method !== 'GET' || !match) return json(404, { error: `no such resource: ${req.path}` });
          const municipality = geography().municipalities.get(match[1]!);
          if (!municipality) return json(404, { error: `no municipality ${match[1]}` });
          return json(200, { summary: `Synthetic {{agency}} summary for ${municipality.name}.` });
        },
      },
    ],
  };
}
