/**
 * `certcheck gateway CONFIG`: the gateway configuration → its probe plans (planGateway) → the
 * shared sweep (sweep.ts) → the Backend Health view.
 */
import { Command } from 'commander';
import { InputError } from '../model/errors.js';
import { withExamples, collect, loadAnchors, parseAt, parseIntOpt, passwordOpts, textWidth, useColor, type PasswordOpts } from './options.js';
import type { ProbePlan } from '../gateway/plan.js';
import type { CliIo } from './io.js';
import { addSweepOptions, resolveMap, runSweep, type SweepFlags } from './sweep.js';

interface GatewayFlags extends SweepFlags, PasswordOpts {
  parameters: string[];
  wellKnownRoot: string[];
  pool: string[];
  setting: string[];
  plan?: boolean;
  timeoutCap?: string;
  allPairs?: boolean;
  network: string[];
}

/** Builds the `gateway` command. */
export function gatewayCommand(io: CliIo, setExit: (n: number) => void): Command {
  const cmd = new Command('gateway')
    .description('probe every pool member × backend setting of an Application Gateway as its health probe does, and show the Backend Health page (exit 0 all Healthy, 1 any Unhealthy, 3 any Unknown, 4 none Unhealthy or Unknown but certcheck\'s policy failed, 130 stopped by Ctrl-C)')
    .argument('<config>', 'gateway JSON: az network application-gateway show, the ARM/REST resource, an ARM template (Export template, az bicep build), or terraform show -json; "-" reads stdin')
    .option('--parameters <file|name=value>', 'ARM template parameters, as az deployment group create takes them: a parameters file (or @file) or NAME=VALUE (repeatable; later ones win)', collect, [])
    .option('--pool <name>', 'only this backend pool (repeatable)', collect, [])
    .option('--setting <name>', 'only this backend setting (repeatable)', collect, [])
    .option('--plan', 'print what each probe would send, and why, without contacting anything')
    .option('--timeout-cap <seconds>', 'lower every probe timeout to at most this (the gateway\'s default is 30 s)')
    .option('--all-pairs', 'plan every pool with every setting, not only the pairs routing rules use')
    .option('--well-known-root <file>', 'replace the well-known CA store with these roots (repeatable) for the settings that trust the well-known CAs (no trusted root certificates): an organisation\'s own list of public roots', collect, [])
    .option('--password-env <var>', 'PKCS#12 password (for a .pfx given as a --well-known-root) from this environment variable')
    .option('--password-file <file>', 'PKCS#12 password from the first line of this file (a pipe or FIFO too)')
    .option('--network <file>', 'the gateway\'s network, judged offline (repeatable): JSON of az network nsg show, route-table show, vnet show, vnet subnet show, nic show, an ARM template or az group export, or an array of those', collect, []);
  addSweepOptions(cmd);
  cmd.action(async (file: string, flags: GatewayFlags) => {
    const concurrency = parseIntOpt('--concurrency', flags.concurrency, 1, 1024)!;
    const timeoutCap = parseIntOpt('--timeout-cap', flags.timeoutCap, 1, 86400);
    const resolve = resolveMap(flags.resolve);
    const at = parseAt(flags.at);
    const color = useColor(io, flags.color);
    // The sweep machinery loads when the command runs, not with the CLI.
    const [{ parseGatewayConfig, readGatewayDocument, readParameterArgs }, { planGateway, planGatewayLazily }, { healthJson, plansJson, renderHealthText, renderPlansText }, netFiles, { networkSummary }] = await Promise.all([
      import('../gateway/config.js'), import('../gateway/plan.js'), import('../render/health.js'), import('../gateway/network/files.js'), import('../gateway/network/verdict.js')]);
    const parameters = flags.parameters.length ? await readParameterArgs(flags.parameters) : undefined;
    // Read once: the gateway document may also hold its network (an ARM template, az group export).
    const main = await readGatewayDocument(file);
    const cfg = await parseGatewayConfig(main.doc, main.label, parameters ? { parameters } : {});
    const networkModel = await netFiles.loadGatewayNetwork({ doc: main.doc, label: main.label, sku: cfg.sku.version, id: cfg.id, name: cfg.name }, flags.network, parameters ? { parameters } : {});
    const network = networkModel ? networkSummary(networkModel) : undefined;
    const planOptions = {
      ...(networkModel ? { network: networkModel } : {}),
      ...(flags.pool.length ? { pools: flags.pool } : {}),
      ...(flags.setting.length ? { settings: flags.setting } : {}),
      ...(timeoutCap !== undefined ? { timeoutCap } : {}),
      ...(flags.allPairs ? { allPairs: true } : {}),
    };
    // Read before --plan too: a wrong root file is an input error whatever the command goes on to do.
    const wellKnownRoots = await loadAnchors(flags.wellKnownRoot, io, passwordOpts(flags));
    if (flags.plan) {
      if (flags.format !== 'text' && flags.format !== 'json') throw new InputError('--plan prints text or json');
      const { plans, notes } = planGateway(cfg, planOptions);
      io.stdout(flags.format === 'json' ? `${JSON.stringify(plansJson(cfg, plans, notes, network), null, 2)}\n` : renderPlansText(cfg, plans, notes, color, network, textWidth(io)));
      setExit(0);
      return;
    }
    const planning = planGatewayLazily(cfg, planOptions);
    // The plans carry the gateway's trust; a replaced well-known store rides along with each probe
    // (probe-setup uses it only for a setting in well-known mode).
    function* withStore(plans: Iterable<ProbePlan>): Generator<ProbePlan> {
      for (const p of plans) yield wellKnownRoots ? { ...p, options: { ...p.options, wellKnownRoots } } : p;
    }
    // Every pair is planned once before anything is contacted, so a member that cannot be planned
    // stops the command up front, as it always has; the sweep then plans each again as it starts it.
    for (const _plan of planning.plans()) { /* planning is the check */ }
    if (!planning.total) io.stderr('certcheck: no pool members to probe\n');
    setExit(await runSweep(io, flags, {
      items: withStore(planning.plans()), total: planning.total, notes: planning.notes, concurrency, resolve, at, ...(network ? { network } : {}),
      ident: (p) => ({ pool: p.pool, setting: p.setting, address: p.address }),
      name: (p) => `${p.pool} / ${p.setting} / ${p.address}`,
      keep: (p) => p,
      render: (rows, meta, c, w) => (flags.format === 'json' ? `${JSON.stringify(healthJson(cfg, rows, meta), null, 2)}\n` : renderHealthText(cfg, rows, meta, c, w, !!flags.verbose)),
    }));
  });
  return withExamples(cmd, ["certcheck gateway agw.json                      # az network application-gateway show ... > agw.json", "certcheck gateway agw.json --quiet              # only the servers that are not Healthy, then the tally", "certcheck gateway agw.json --plan               # what each probe would send, contacting nothing", "certcheck gateway template.json --parameters params.json --network nsg.json --network vnet.json --plan", "certcheck gateway agw.json --resolve orders-a.corp.example.net=10.20.4.11 --format json > health.json"]);
}
