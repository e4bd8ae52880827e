/**
 * A real ClickHouse server for tests, started with testcontainers from the official
 * `clickhouse/clickhouse-server` image (override with CLICKHOUSE_TEST_IMAGE). Exposes the HTTP
 * port 8123, waits until `/ping` answers, and hands back the URL and credentials for
 * `openClickHouse({ url })`. Call `probeContainerRuntime()` first: this fails without an engine.
 */
import { GenericContainer, Wait } from 'testcontainers';

export const DEFAULT_CLICKHOUSE_IMAGE = 'clickhouse/clickhouse-server:25.8';
const HTTP_PORT = 8123;
const STARTUP_TIMEOUT_MS = 120_000;
const USER = 'warden';
const PASSWORD = 'warden-test';

export interface ClickHouseContainer {
  url: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

export async function startClickHouseContainer(
  image: string = process.env.CLICKHOUSE_TEST_IMAGE ?? DEFAULT_CLICKHOUSE_IMAGE,
): Promise<ClickHouseContainer> {
  const started = await new GenericContainer(image)
    .withEnvironment({
      CLICKHOUSE_USER: USER,
      CLICKHOUSE_PASSWORD: PASSWORD,
      CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT: '1',
    })
    .withUlimits({ nofile: { soft: 262_144, hard: 262_144 } })
    .withExposedPorts(HTTP_PORT)
    .withWaitStrategy(Wait.forHttp('/ping', HTTP_PORT).forStatusCode(200))
    .withStartupTimeout(STARTUP_TIMEOUT_MS)
    .start();
  return {
    url: `http://${started.getHost()}:${started.getMappedPort(HTTP_PORT)}`,
    username: USER,
    password: PASSWORD,
    stop: async () => {
      await started.stop();
    },
  };
}
