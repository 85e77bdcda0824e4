// The container verbs' view of volumes (EngineContext.volumes): resolve a new container's mounts at create,
// copy-up and OCI mounts at start, and the container's anonymous volumes when it is removed with -v.
import type { Mount } from '../../spec/oci-runtime.js';
import type { RootfsLayout } from '../container/rootfs.js';
import type { VolumeService } from '../volume-service.js';
import { resolveMounts, ociMounts, type MountRequest } from './container-mounts.js';
import { copyUp } from './copy-up.js';
import type { MountPointRecord, VolumeUser } from './types.js';

export class ContainerVolumes {
  constructor(
    readonly service: VolumeService,
    private readonly lookup: (ref: string) => VolumeUser,
    private readonly dirs: { emptyDir: string; scratchDir: string },
  ) {}

  /**
   * At create: -v, --mount, --volumes-from and the Config/image volumes as mount point records. Volumes made
   * here are removed again by `rollback` when the create fails afterwards.
   */
  async resolve(hc: Record<string, any>, volumes: Record<string, unknown> | null | undefined): Promise<{ mountPoints: MountPointRecord[]; rollback: () => Promise<void> }> {
    const req: MountRequest = {
      binds: hc.Binds ?? [],
      mounts: hc.Mounts ?? [],
      volumesFrom: hc.VolumesFrom ?? [],
      volumes: Object.keys(volumes ?? {}),
    };
    const made: string[] = [];
    const rollback = async () => {
      for (const n of made) await this.service.remove(n, { force: true }).catch(() => undefined);
    };
    try {
      return { mountPoints: await resolveMounts(this.service, req, this.lookup, made), rollback };
    } catch (e) {
      await rollback();
      throw e;
    }
  }

  /** At start: fill empty volumes from the image, then the OCI mounts (all of the container's but --tmpfs). */
  async mounts(c: VolumeUser, layout: RootfsLayout): Promise<Mount[]> {
    const mps = c.mountPoints ?? [];
    await copyUp(this.service, mps, layout, this.dirs.emptyDir, this.dirs.scratchDir);
    return ociMounts(this.service, mps);
  }

  /** After the container's record is gone: with -v (or AutoRemove) its anonymous volumes go too. */
  async removed(c: VolumeUser, removeVolumes: boolean): Promise<void> {
    if (removeVolumes) await this.service.removeAnonymousOf(c);
  }
}
