// The local stack's configuration, checked offline: Prometheus' config is valid (promtool, where
// installed) and scrapes the Pushgateway with honor_labels; compose runs every backend and mounts
// what the configs name; Grafana's data sources point at the compose services.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const infra = fileURLToPath(new URL('../../../infra/', import.meta.url));
const PROMTOOL = '/usr/bin/promtool';

async function parseYaml(path: string): Promise<any> {
  return parse(await readFile(path, 'utf8'));
}

let compose: any;
let prometheus: any;
let datasources: any;

before(async () => {
  compose = await parseYaml(join(infra, 'docker-compose.yml'));
  prometheus = await parseYaml(join(infra, 'prometheus', 'prometheus.yml'));
  datasources = await parseYaml(join(infra, 'grafana', 'provisioning', 'datasources', 'lambda-observe.yml'));
});

describe('the local stack', () => {
  test('compose runs Jaeger, Zipkin, Pushgateway, Prometheus and Grafana on their usual ports', () => {
    const ports = (name: string): string[] => (compose.services[name]?.ports ?? []).map((p: string) => p.split(':')[0]);
    assert.ok(ports('jaeger').includes('4318') && ports('jaeger').includes('16686'));
    assert.ok(ports('zipkin').includes('9411'));
    assert.ok(ports('pushgateway').includes('9091'));
    assert.ok(ports('prometheus').includes('9090'));
    assert.ok(ports('grafana').includes('3000'));
    for (const service of Object.values(compose.services) as Array<{ image: string }>) {
      assert.match(service.image, /:[^:]+$/, `${service.image}: a pinned tag`);
      assert.doesNotMatch(service.image, /:latest$/);
    }
  });

  test('Prometheus scrapes the Pushgateway with honor_labels and loads the rules; its config is what compose mounts', () => {
    const scrape = prometheus.scrape_configs.find((c: any) => c.static_configs?.some((s: any) => s.targets.includes('pushgateway:9091')));
    assert.ok(scrape, 'a scrape of pushgateway:9091 (the compose service)');
    assert.equal(scrape.honor_labels, true);
    for (const rules of prometheus.rule_files) assert.ok(existsSync(join(infra, 'prometheus', rules)), `${rules} exists next to prometheus.yml`);
    assert.ok(compose.services.prometheus.volumes.includes('./prometheus:/etc/prometheus:ro'));
    assert.ok(compose.services.prometheus.command.includes('--config.file=/etc/prometheus/prometheus.yml'));
  });

  test('promtool accepts the config and the rules it loads', () => {
    const out = execFileSync(PROMTOOL, ['check', 'config', join(infra, 'prometheus', 'prometheus.yml')], { encoding: 'utf8' });
    assert.match(out, /SUCCESS/);
  });

  test('Grafana provisions Prometheus (default) and Jaeger at the compose services', () => {
    assert.ok(compose.services.grafana.volumes.includes('./grafana/provisioning:/etc/grafana/provisioning:ro'));
    const byType = new Map(datasources.datasources.map((d: any) => [d.type, d]));
    assert.equal((byType.get('prometheus') as any)?.url, 'http://prometheus:9090');
    assert.equal((byType.get('prometheus') as any)?.isDefault, true);
    assert.equal((byType.get('jaeger') as any)?.url, 'http://jaeger:16686');
  });
});
