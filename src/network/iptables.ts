// Applies and removes iptables plans (iptables-plan.ts) with `iptables -w`. ensure() is idempotent: each
// rule is checked with -C before it is added, so berthd can re-run everything at start (restore) and after a
// crash half-way. Only Berth's own chains are created, flushed or deleted; in the host's built-in chains
// Berth only inserts and deletes its own jump rules.
import { isEngineError } from '../common/errors.js';
import { CHAINS, planBase, type Rule } from './iptables-plan.js';
import type { Run } from './run.js';

function exitCode(e: unknown): number | undefined {
  if (!isEngineError(e)) return undefined;
  const c = (e.cause as { code?: unknown } | undefined)?.code;
  return typeof c === 'number' ? c : undefined;
}

export class Iptables {
  constructor(
    private readonly run: Run,
    private readonly bin = 'iptables',
  ) {}

  private ipt(table: string, args: string[]): Promise<string> {
    return this.run(this.bin, ['-w', '-t', table, ...args]);
  }

  async exists(r: Rule): Promise<boolean> {
    try {
      await this.ipt(r.table, ['-C', r.chain, ...r.args]);
      return true;
    } catch (e) {
      // 1 = no such rule; anything else (missing chain, bad match) is a real failure
      if (exitCode(e) === 1) return false;
      throw e;
    }
  }

  /** Creates Berth's chains and hooks them in; safe to call at every berthd start. */
  async ensureBase(): Promise<void> {
    for (const c of CHAINS) {
      try {
        await this.ipt(c.table, ['-N', c.chain]);
      } catch (e) {
        if (!(isEngineError(e) && /already exists/i.test(e.message))) throw e;
      }
    }
    await this.ensure(planBase());
  }

  async ensure(rules: readonly Rule[]): Promise<void> {
    for (const r of rules) {
      if (r.first) await this.ensureFirst(r);
      else if (!(await this.exists(r))) await this.ipt(r.table, ['-A', r.chain, ...r.args]);
    }
  }

  /** Removes rules (reverse order, every duplicate); missing rules and chains are fine. */
  async remove(rules: readonly Rule[]): Promise<void> {
    for (const r of [...rules].reverse()) {
      for (let i = 0; i < 100; i++) {
        let present: boolean;
        try {
          present = await this.exists(r);
        } catch {
          break; // chain gone: nothing to remove
        }
        if (!present) break;
        await this.ipt(r.table, ['-D', r.chain, ...r.args]);
      }
    }
  }

  /** Unhooks and deletes all of Berth's chains (uninstall, tests). */
  async teardownBase(): Promise<void> {
    await this.remove(planBase());
    for (const c of CHAINS) {
      try {
        await this.ipt(c.table, ['-F', c.chain]);
      } catch {
        continue;
      }
    }
    for (const c of CHAINS) await this.ipt(c.table, ['-X', c.chain]).catch(() => undefined);
  }

  /** Rule listing of a chain as `iptables -S` prints it (tests, diagnostics). */
  async list(table: string, chain: string): Promise<string[]> {
    const out = await this.ipt(table, ['-S', chain]);
    return out.split('\n').filter((l) => l.startsWith('-A '));
  }

  private async ensureFirst(r: Rule): Promise<void> {
    const want = `-A ${r.chain} ${r.args.join(' ')}`;
    const rules = await this.list(r.table, r.chain);
    if (rules[0] === want) return;
    await this.ipt(r.table, ['-I', r.chain, '1', ...r.args]);
    // an older copy further down (another tool inserted above it since) goes: delete by number, last first
    const later = rules.map((l, i) => (l === want ? i + 2 : -1)).filter((n) => n > 0).reverse();
    for (const n of later) await this.ipt(r.table, ['-D', r.chain, String(n)]);
  }
}
