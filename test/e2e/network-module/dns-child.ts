// Runs Berth's DNS server inside a netns for the network root test (started with `ip netns exec`):
// argv: address, JSON {name: [ips]}. Prints "ready" once bound; exits when stdin closes.
import { startDnsServer } from '../../../src/network/index.js';

const [address, mapJson] = process.argv.slice(2) as [string, string];
const names = JSON.parse(mapJson) as Record<string, string[]>;
const srv = await startDnsServer({ address, port: 53, resolve: (n) => names[n], upstreams: () => [], timeoutMs: 200 });
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', () => void srv.close().then(() => process.exit(0)));
