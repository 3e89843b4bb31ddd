import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../proc/ports.ts';
import { serveIpc } from './ipc.ts';

// nginx as the relay (issue 16): one worker, keep-alive to the upstream, adds the bearer token and
// drops the cookie, like the floors. Its CPU time is read from /proc (master and worker), so the
// suite's "µs CPU per request" means the same as for the Node relays.
export const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
const upstream = new URL(process.env.UPSTREAM_URL ?? '');
const TOKEN = `Bearer ${process.env.FLOOR_TOKEN ?? 'floor'}`;
const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), 'bench-nginx-'));
const asRoot = process.getuid?.() === 0;
writeFileSync(
  join(dir, 'nginx.conf'),
  `${asRoot ? 'user root;\n' : ''}worker_processes 1;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  upstream api {
    server ${upstream.host};
    keepalive 256;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass ${upstream.protocol}//api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host ${upstream.host};
      proxy_set_header Cookie "";
      proxy_set_header Authorization "${TOKEN}";
    }
  }
}
`,
);
const nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'inherit', 'inherit'] });
nginx.on('exit', (code) => {
  if (!stopping) {
    console.error(`nginx exited with ${code}`);
    process.exit(1);
  }
});
let stopping = false;

/** utime + stime (µs) of a process and its children (/proc/<pid>/task/<pid>/children), 0 when unreadable. */
function cpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return (ticks * 1e6) / 100 + children.reduce((sum, c) => sum + cpuUs(c), 0); // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

// Ready once it accepts connections.
for (let i = 0; ; i++) {
  const ok = await fetch(`http://127.0.0.1:${port}/`).then((r) => (void r.body?.cancel(), true), () => false);
  if (ok) break;
  if (i > 200) throw new Error('nginx did not start');
  await new Promise((r) => setTimeout(r, 25));
}
serveIpc(
  { url: `http://127.0.0.1:${port}` },
  () =>
    new Promise((resolve) => {
      stopping = true;
      nginx.once('exit', () => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      });
      nginx.kill('SIGQUIT');
    }),
  { cpu: () => cpuUs(nginx.pid!), rss: () => 0 },
);
