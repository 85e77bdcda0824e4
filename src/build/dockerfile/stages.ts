// Typed instructions → stages, after buildkit's instructions.Parse: ARGs before the first FROM are the meta
// ARGs, each FROM opens a stage, anything else before a FROM is an error.
import { bareError } from './errors.js';
import { toInstruction } from './instructions.js';
import { parse, type ParseOptions } from './parser.js';
import type { Dockerfile, Stage } from './types.js';

export function parseDockerfile(text: string, opts: ParseOptions = {}): Dockerfile {
  const { directives, nodes, warnings } = parse(text, opts);
  const metaArgs: Dockerfile['metaArgs'] = [];
  const stages: Stage[] = [];
  const named = new Set<string>();
  for (const node of nodes) {
    const ins = toInstruction(node, directives.escape);
    if (ins.kind === 'from') {
      const stage: Stage = { index: stages.length, base: ins.image, from: ins, commands: [] };
      if (ins.stageName !== undefined) {
        // Docker's classic builder finds this when it commits the second stage; the wording is its.
        if (named.has(ins.stageName)) throw bareError(`${ins.stageName} stage name already used`, node.startLine);
        named.add(ins.stageName);
        stage.name = ins.stageName;
      }
      if (ins.platform !== undefined) stage.platform = ins.platform;
      stages.push(stage);
    } else if (stages.length > 0) {
      stages[stages.length - 1]!.commands.push(ins);
    } else if (ins.kind === 'arg') {
      metaArgs.push(...ins.args);
    } else {
      throw bareError('no build stage in current context', node.startLine);
    }
  }
  return { directives, metaArgs, stages, warnings };
}

/**
 * The stage `--target`, `COPY --from` or `FROM` refer to: by name (case-insensitive) first, then as a decimal
 * index (Go's ParseInt: an optional sign, digits) within the stages.
 */
export function stageIndex(df: Dockerfile, nameOrIndex: string): number | undefined {
  const lower = nameOrIndex.toLowerCase();
  const byName = df.stages.find((s) => s.name === lower);
  if (byName) return byName.index;
  if (!/^[+-]?[0-9]+$/.test(nameOrIndex)) return undefined;
  const ix = Number(nameOrIndex);
  return ix >= 0 && ix < df.stages.length ? ix : undefined;
}
