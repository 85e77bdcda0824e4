// The command tree: which commands exist, under which names, and how the root help groups them. Every
// command is declared once and, where docker has both forms (`run` and `container run`), listed twice.
import type { CommandSpec, GroupSpec } from '../framework/command.js';
import { attachCommand } from './container/attach.js';
import { cpCommand } from './container/cp.js';
import { createCommand } from './container/create.js';
import { execCommand } from './container/exec.js';
import { logsCommand } from './container/logs.js';
import {
  containerInspectCommand,
  diffCommand,
  exportCommand,
  portCommand,
  pruneCommand,
  renameCommand,
  topCommand,
} from './container/misc.js';
import { psCommand, psTopLevel } from './container/ps.js';
import { runCommand } from './container/run.js';
import { startCommand } from './container/start.js';
import { statsCommand } from './container/stats.js';
import {
  killCommand,
  pauseCommand,
  restartCommand,
  rmCommand,
  stopCommand,
  unpauseCommand,
  waitCommand,
} from './container/lifecycle.js';
import { updateCommand } from './container/update.js';
import { historyCommand, imageInspectCommand } from './image/info.js';
import { imagesCommand } from './image/list.js';
import { importCommand, rmiCommand, rmiTopLevel, tagCommand } from './image/manage.js';
import { loadCommand, saveCommand } from './image/archive.js';
import { buildCommand } from './image/build.js';
import { commitCommand, imagePruneCommand } from './image/commit.js';
import { loginCommand, logoutCommand } from './image/login.js';
import { pullCommand, pushCommand } from './image/registry.js';
import { dfCommand } from './system/df.js';
import { eventsCommand } from './system/events.js';
import { infoCommand } from './system/info.js';
import { inspectCommand } from './system/inspect.js';
import { versionCommand } from './system/version.js';
import { networkGroup } from './network/index.js';
import { volumeGroup } from './volume/index.js';
import { registryGroup } from './registry/index.js';

export function allGroups(): GroupSpec[] {
  return [
    {
      name: 'container',
      short: 'Manage containers',
      commands: [
        attachCommand, commitCommand, cpCommand, createCommand, diffCommand, execCommand, exportCommand, containerInspectCommand,
        killCommand, logsCommand, psCommand, pauseCommand, portCommand, pruneCommand, renameCommand, restartCommand,
        rmCommand, runCommand, startCommand, statsCommand, stopCommand, topCommand, unpauseCommand, updateCommand,
        waitCommand,
      ],
    },
    {
      name: 'image',
      short: 'Manage images',
      commands: [
        buildCommand, historyCommand, importCommand, imageInspectCommand, loadCommand, imagesCommand, imagePruneCommand, pullCommand, pushCommand,
        rmiCommand, saveCommand, tagCommand,
      ],
    },
    { name: 'builder', short: 'Manage builds', commands: [buildCommand] },
    networkGroup,
    volumeGroup,
    registryGroup,
    { name: 'system', short: 'Manage Berth', commands: [dfCommand, eventsCommand, infoCommand] },
  ];
}

export function topLevelCommands(): CommandSpec[] {
  return [
    attachCommand, buildCommand, commitCommand, cpCommand, createCommand, diffCommand, eventsCommand, execCommand, exportCommand, historyCommand,
    { ...imagesCommand, name: 'images', aliases: [] }, importCommand, infoCommand, inspectCommand, killCommand,
    loadCommand, loginCommand, logoutCommand, logsCommand, pauseCommand, portCommand, psTopLevel, pullCommand, pushCommand, renameCommand, restartCommand,
    { ...rmCommand, aliases: [] }, rmiTopLevel, runCommand, saveCommand, startCommand, statsCommand, stopCommand, tagCommand,
    topCommand, unpauseCommand, updateCommand, versionCommand, waitCommand,
  ];
}

/** The "Common Commands" of the root help, in docker's order. */
export function commonCommands(): string[] {
  return ['run', 'exec', 'ps', 'build', 'pull', 'push', 'images', 'login', 'logout', 'search', 'version', 'info'];
}
