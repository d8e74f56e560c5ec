import { serve } from './cli/server-commands';

// `npm start`: the server with the environment's configuration.
void serve().then((code) => {
  if (code !== 0) process.exitCode = code;
});
