/**
 * The other serialisations EntryStore offers for an RDF graph (`?format=` or `Accept`): RDF/XML (its
 * default), N-Triples (also served for Turtle: N-Triples is valid Turtle) and JSON-LD (expanded form).
 */
import type { RdfGraph, RdfValue } from '../rdf.ts';

const escapeNt = (s: string) =>
  s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
const term = (subject: string) => (subject.startsWith('_:') ? subject : `<${subject}>`);

function objectNt(v: RdfValue): string {
  if (v.type === 'uri') return `<${v.value}>`;
  if (v.type === 'bnode') return v.value;
  const lit = `"${escapeNt(v.value)}"`;
  if (v.lang) return `${lit}@${v.lang}`;
  if (v.datatype) return `${lit}^^<${v.datatype}>`;
  return lit;
}

export function toNTriples(graph: RdfGraph): string {
  const lines: string[] = [];
  for (const [s, node] of Object.entries(graph))
    for (const [p, vs] of Object.entries(node))
      for (const v of vs) lines.push(`${term(s)} <${p}> ${objectNt(v)} .`);
  return `${lines.join('\n')}\n`;
}

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** RDF/XML with one namespace per distinct predicate namespace (ns0, ns1, …). */
export function toRdfXml(graph: RdfGraph): string {
  const namespaces = new Map<string, string>();
  const qname = (p: string) => {
    const cut = Math.max(p.lastIndexOf('#'), p.lastIndexOf('/')) + 1;
    const ns = p.slice(0, cut);
    const local = p.slice(cut);
    if (!namespaces.has(ns)) namespaces.set(ns, `ns${namespaces.size}`);
    return `${namespaces.get(ns)}:${local}`;
  };
  const body: string[] = [];
  for (const [s, node] of Object.entries(graph)) {
    const about = s.startsWith('_:') ? `rdf:nodeID="${xml(s.slice(2))}"` : `rdf:about="${xml(s)}"`;
    body.push(`  <rdf:Description ${about}>`);
    for (const [p, vs] of Object.entries(node)) {
      const q = qname(p);
      for (const v of vs) {
        if (v.type === 'uri') body.push(`    <${q} rdf:resource="${xml(v.value)}"/>`);
        else if (v.type === 'bnode') body.push(`    <${q} rdf:nodeID="${xml(v.value.slice(2))}"/>`);
        else {
          const attr = v.lang
            ? ` xml:lang="${xml(v.lang)}"`
            : v.datatype
              ? ` rdf:datatype="${xml(v.datatype)}"`
              : '';
          body.push(`    <${q}${attr}>${xml(v.value)}</${q}>`);
        }
      }
    }
    body.push('  </rdf:Description>');
  }
  const ns = [...namespaces].map(([uri, prefix]) => `\n    xmlns:${prefix}="${xml(uri)}"`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF\n    xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"${ns}>\n${body.join('\n')}\n</rdf:RDF>\n`;
}

/** Expanded JSON-LD: one object per subject. */
export function toJsonLd(graph: RdfGraph): unknown[] {
  return Object.entries(graph).map(([s, node]) => {
    const out: Record<string, unknown> = { '@id': s };
    for (const [p, vs] of Object.entries(node)) {
      out[p] = vs.map((v) =>
        v.type === 'literal'
          ? {
              '@value': v.value,
              ...(v.lang ? { '@language': v.lang } : v.datatype ? { '@type': v.datatype } : {}),
            }
          : { '@id': v.value },
      );
    }
    return out;
  });
}
