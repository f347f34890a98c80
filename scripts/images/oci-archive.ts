/**
 * Writes an OCI image archive (an OCI image layout, tarred) from layer tarballs, with no daemon:
 * what `ctr images import` loads into containerd. Used by scripts/build-images.
 *
 *   node scripts/images/oci-archive.ts OUT.tar SPEC.json
 *
 * SPEC: { "names": ["localhost/x/y:tag", ...], "config": { Env, Entrypoint, Cmd, User,
 * WorkingDir, Labels }, "layers": ["/path/layer.tar", ...] }. Layers are uncompressed tars, bottom
 * first; each layer's digest is cached beside it as `<layer>.sha256`, so a base layer shared by
 * many images is hashed once. Every name is written as an `io.containerd.image.name` annotation,
 * which `ctr images import` takes as the image's full name.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

interface Spec {
  names: string[];
  config: Record<string, unknown>;
  layers: string[];
}

const [out, specFile] = process.argv.slice(2);
if (!out || !specFile) throw new Error('usage: oci-archive.ts OUT.tar SPEC.json');
const spec = JSON.parse(readFileSync(specFile, 'utf8')) as Spec;

async function sha256(file: string): Promise<string> {
  const cache = `${file}.sha256`;
  try {
    if (statSync(cache).mtimeMs >= statSync(file).mtimeMs) return readFileSync(cache, 'utf8').trim();
  } catch {
    // Not hashed yet.
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const digest = hash.digest('hex');
  writeFileSync(cache, `${digest}\n`);
  return digest;
}

const stage = mkdtempSync(join(dirname(out), '.oci-'));
const blobs = join(stage, 'blobs', 'sha256');
mkdirSync(blobs, { recursive: true });
function blob(content: string): { digest: string; size: number } {
  const digest = createHash('sha256').update(content).digest('hex');
  writeFileSync(join(blobs, digest), content);
  return { digest: `sha256:${digest}`, size: Buffer.byteLength(content) };
}

try {
  const layers = [];
  for (const layer of spec.layers) {
    const digest = await sha256(layer);
    // A hard link: the layer is not copied into the staging folder (same file system).
    linkSync(layer, join(blobs, digest));
    layers.push({
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: `sha256:${digest}`,
      size: statSync(layer).size,
    });
  }
  const config = blob(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: spec.config,
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    }),
  );
  const manifest = blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers,
    }),
  );
  writeFileSync(join(stage, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(stage, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: spec.names.map((name) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...manifest,
        annotations: {
          'io.containerd.image.name': name,
          'org.opencontainers.image.ref.name': name.split(':').pop(),
        },
      })),
    }),
  );
  execFileSync('tar', [
    '--create',
    '--file',
    `${out}.tmp`,
    '--directory',
    stage,
    'oci-layout',
    'index.json',
    'blobs',
  ]);
  execFileSync('mv', [`${out}.tmp`, out]);
  console.log(
    `${out}: ${spec.names.join(', ')} (${layers.length} layers, manifest ${manifest.digest.slice(7, 19)})`,
  );
} finally {
  rmSync(stage, { recursive: true, force: true });
}
