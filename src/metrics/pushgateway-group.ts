/**
 * Where an environment's group lives on a Pushgateway: the grouping path of job, instance and the
 * static labels. Apart from the client (./pushgateway-client.ts) so that the sink can name its
 * target without loading the client, which is imported lazily.
 */

/** `/metrics/job/<job>/instance/<instance>/<label>/<value>…`, with `@base64` for values the path cannot carry. */
export function groupingPath(target: { readonly job: string; readonly instance: string; readonly labels: Readonly<Record<string, string>> }): string {
  const pairs: Array<[string, string]> = [['job', target.job], ['instance', target.instance], ...Object.entries(target.labels)];
  return `/metrics${pairs.map(([name, value]) => segment(name, value)).join('')}`;
}

function segment(name: string, value: string): string {
  // Per the Pushgateway's API: a value with a slash (or an empty one) is sent base64url-encoded.
  if (value === '' || value.includes('/')) return `/${name}@base64/${Buffer.from(value, 'utf8').toString('base64url') || '='}`;
  return `/${name}/${encodeURIComponent(value)}`;
}
