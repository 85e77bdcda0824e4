// `berth network …`: the command group as docker lists it (alphabetical).
import type { GroupSpec } from '../../framework/command.js';
import { networkCreateCommand } from './create.js';
import { networkListCommand } from './list.js';
import { networkConnectCommand, networkDisconnectCommand, networkInspectCommand, networkPruneCommand, networkRmCommand } from './manage.js';

export const networkGroup: GroupSpec = {
  name: 'network',
  short: 'Manage networks',
  commands: [
    networkConnectCommand, networkCreateCommand, networkDisconnectCommand, networkInspectCommand, networkListCommand, networkPruneCommand,
    networkRmCommand,
  ],
};
