// The berth CLI: docker's commands, flags, output and exit statuses over the Engine API. It owns argument
// parsing (framework/), the commands (commands/), terminal and stream handling (streams/) and output
// formatting (format/). It reaches the daemon only through src/client and must not import the engine or
// the API server: what berth can do is what any Engine API client could do.
export { main, buildProgram, processStreams } from './main.js';
export { StatusError, EXIT_DAEMON, EXIT_CANNOT_INVOKE, EXIT_NOT_FOUND } from './exit-codes.js';
