// `lifeline sandbox`: the provider simulators alone, for tests and benchmarks run from outside.
import { startSandbox } from '../sandbox/index.js';

export async function sandbox(options: { host: string; port: number; smtpPort?: number }): Promise<void> {
  const running = await startSandbox({ host: options.host, port: options.port, smtpPort: options.smtpPort });
  process.stdout.write(`${JSON.stringify({ url: running.url, smtpPort: running.smtpPort })}\n`);
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}
