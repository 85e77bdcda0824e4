// Test helpers: a server on a temp root, digests, and a tiny OCI image (one gzip layer) built by hand.
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startRegistryServer, type RegistryServer } from './index.js';

export const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface TestRegistry extends RegistryServer {
  root: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startTestRegistry(opts: { readOnly?: boolean } = {}): Promise<TestRegistry> {
  const root = await mkdtemp(path.join(tmpdir(), 'berth-registry-test-'));
  const logs: string[] = [];
  const s = await startRegistryServer({ root, listen: '127.0.0.1:0', log: (m) => logs.push(m), ...opts });
  return {
    ...s,
    root,
    logs,
    stop: async () => {
      await s.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** One regular file in a ustar archive: 512-byte header, content padded to 512, two zero blocks at the end. */
export function tarWithFile(name: string, content: Buffer): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number) => h.write(s.slice(0, len), off, 'ascii');
  put(name, 0, 100);
  put('0000644\0', 100, 8);
  put('0000000\0', 108, 8);
  put('0000000\0', 116, 8);
  put(`${content.length.toString(8).padStart(11, '0')}\0`, 124, 12);
  put('00000000000\0', 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([h, content, pad, Buffer.alloc(1024)]);
}

/** Buffers backed by a plain ArrayBuffer, which is what fetch's body type accepts. */
export type Bytes = Buffer<ArrayBuffer>;

export interface TinyImage {
  layer: Bytes;
  config: Bytes;
  manifest: Bytes;
  layerDigest: string;
  configDigest: string;
  manifestDigest: string;
  diffId: string;
}

export function tinyImage(text = 'hello from berth\n'): TinyImage {
  const tar = tarWithFile('hello.txt', Buffer.from(text));
  const layer = gzipSync(tar);
  const diffId = sha256(tar);
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Cmd: ['/hello'] }, rootfs: { type: 'layers', diff_ids: [diffId] },
  }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
  }));
  return { layer, config, manifest, layerDigest: sha256(layer), configDigest: sha256(config), manifestDigest: sha256(manifest), diffId };
}

/** Writes `img` as an OCI image layout (oci-layout, index.json, blobs/sha256/…) with `tag` as its ref name. */
export async function writeOciLayout(dir: string, img: TinyImage, tag: string): Promise<void> {
  const blobs = path.join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  for (const b of [img.layer, img.config, img.manifest]) await writeFile(path.join(blobs, sha256(b).slice(7)), b);
  await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(path.join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: img.manifestDigest, size: img.manifest.length,
      annotations: { 'org.opencontainers.image.ref.name': tag },
    }],
  }));
}
