// `berth volume …`: the command group as docker lists it (alphabetical).
import type { GroupSpec } from '../../framework/command.js';
import { volumeCreateCommand, volumeInspectCommand, volumePruneCommand, volumeRmCommand } from './manage.js';
import { volumeListCommand } from './list.js';

export const volumeGroup: GroupSpec = {
  name: 'volume',
  short: 'Manage volumes',
  commands: [volumeCreateCommand, volumeInspectCommand, volumeListCommand, volumePruneCommand, volumeRmCommand],
};
