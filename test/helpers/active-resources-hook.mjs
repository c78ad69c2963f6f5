// Loaded into the daemon with `node --import` by tests only: on SIGUSR2, print the event
// loop's active resources (refed timers show as "Timeout", children as "ProcessWrap").
process.on('SIGUSR2', () => {
  process.stderr.write(`${JSON.stringify({ activeResources: process.getActiveResourcesInfo() })}\n`)
})
