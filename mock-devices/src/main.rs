//! `mock-onvif`: run mock ONVIF cameras from the command line.

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mock_devices::{
    AuthMode, DeviceConfig, Fleet, FleetError, FleetSpec, MockDevice, Persona, UserSpec,
};

#[derive(Parser)]
#[command(
    name = "mock-onvif",
    version,
    about = "Mock ONVIF cameras for testing camswap"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one device until SIGINT/SIGTERM.
    Serve {
        /// Built-in persona name or a persona TOML file.
        #[arg(long)]
        persona: String,
        /// Address to listen on (port 0 picks one).
        #[arg(long)]
        bind: SocketAddr,
        /// UDP port for WS-Discovery.
        #[arg(long)]
        discovery_port: Option<u16>,
        /// Replace the persona's users: NAME:PASS (administrator) or NAME:PASS:LEVEL.
        #[arg(long = "user")]
        users: Vec<UserSpec>,
        /// Credentials the device demands: digest, wsse, both, any or none.
        #[arg(long)]
        auth: Option<AuthMode>,
        /// Shift the device clock by this many seconds.
        #[arg(long, allow_negative_numbers = true, default_value_t = 0)]
        clock_offset: i64,
        /// Start in the factory-default state (no users, so no auth).
        #[arg(long)]
        factory: bool,
        /// UDP port for the vendor discovery protocol the persona answers (Hikvision SADP,
        /// real port 37020; Dahua/Amcrest DHIP, real port 37810).
        #[arg(long)]
        vendor_discovery_port: Option<u16>,
        /// ONVIF switched off: only the vendor discovery protocol and plain HTTP answer.
        #[arg(long)]
        onvif_off: bool,
    },
    /// List the built-in personas.
    Personas,
    /// Run many devices on consecutive loopback addresses until SIGINT/SIGTERM.
    Fleet {
        /// Personas taken in turn (built-in names or files), comma-separated.
        #[arg(long, value_delimiter = ',')]
        personas: Vec<String>,
        /// Number of devices.
        #[arg(long)]
        count: Option<usize>,
        /// First address (127.x.y.z).
        #[arg(long)]
        base: Option<Ipv4Addr>,
        /// Port on every address (default: one free port).
        #[arg(long)]
        port: Option<u16>,
        /// UDP port for every device's WS-Discovery responder.
        #[arg(long)]
        discovery_port: Option<u16>,
        /// Serve the control endpoint (swap, faults, log) here.
        #[arg(long)]
        control: Option<SocketAddr>,
        /// A TOML file describing a mixed site instead of --personas/--count.
        #[arg(long)]
        spec: Option<PathBuf>,
    },
}

/// A failure with its exit code: 2 for bad input, 1 for runtime trouble.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn input(message: impl std::fmt::Display) -> Self {
        Self {
            code: 2,
            message: message.to_string(),
        }
    }

    fn runtime(message: impl std::fmt::Display) -> Self {
        Self {
            code: 1,
            message: message.to_string(),
        }
    }
}

impl From<FleetError> for Failure {
    fn from(e: FleetError) -> Self {
        match e {
            FleetError::Start { .. } => Self::runtime(e),
            _ => Self::input(e),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mock-onvif: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("mock-onvif: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Print a readiness line and flush, so a harness reading the pipe sees it at once.
fn say(line: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| Failure::runtime(format!("cannot write to stdout: {e}")))
}

async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Personas => {
            let mut rows = vec![[
                "NAME".to_string(),
                "MANUFACTURER".into(),
                "MODEL".into(),
                "KIND".into(),
            ]];
            for name in Persona::builtin_names() {
                let p = Persona::builtin(name).map_err(Failure::runtime)?;
                rows.push([p.name, p.identity.manufacturer, p.identity.model, p.kind]);
            }
            let widths: Vec<usize> = (0..4)
                .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
                .collect();
            for r in rows {
                let line = format!(
                    "{:w0$}  {:w1$}  {:w2$}  {}",
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    w0 = widths[0],
                    w1 = widths[1],
                    w2 = widths[2]
                );
                say(line.trim_end())?;
            }
            Ok(())
        }
        Command::Serve {
            persona,
            bind,
            discovery_port,
            users,
            auth,
            clock_offset,
            factory,
            vendor_discovery_port,
            onvif_off,
        } => {
            let persona = Persona::resolve(&persona).map_err(Failure::input)?;
            let mut config = DeviceConfig::new(persona, bind)
                .clock_offset(clock_offset)
                .factory(factory)
                .onvif_off(onvif_off);
            config.vendor_discovery_port = vendor_discovery_port;
            config.discovery_port = discovery_port;
            config.auth = auth;
            if !users.is_empty() {
                config.users = Some(users);
            }
            let device = MockDevice::start(config)
                .await
                .map_err(|e| Failure::runtime(format!("cannot listen on {bind}: {e}")))?;
            let signals = watch_signals()?;
            if let Some(a) = device.vendor_discovery_addr() {
                say(&format!("vendor discovery on udp://{a}"))?;
            }
            say(&format!("listening on http://{}", device.addr()))?;
            signals.wait().await;
            device.shutdown().await;
            Ok(())
        }
        Command::Fleet {
            personas,
            count,
            base,
            port,
            discovery_port,
            control,
            spec,
        } => {
            let mut fleet_spec = match spec {
                Some(path) => {
                    if !personas.is_empty() || count.is_some() {
                        return Err(Failure::input(
                            "--spec describes the devices; leave out --personas and --count",
                        ));
                    }
                    FleetSpec::from_file(&path)?
                }
                None => {
                    if personas.is_empty() {
                        return Err(Failure::input("give --personas (or --spec)"));
                    }
                    let loaded = personas
                        .iter()
                        .map(|p| Persona::resolve(p))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(Failure::input)?;
                    let count = count.ok_or_else(|| Failure::input("give --count"))?;
                    FleetSpec::round_robin(&loaded, count, Ipv4Addr::UNSPECIFIED)
                }
            };
            if let Some(base) = base {
                fleet_spec.base = base;
            }
            if fleet_spec.base.is_unspecified() {
                return Err(Failure::input("give --base (or `base` in the spec)"));
            }
            if let Some(port) = port {
                fleet_spec.port = port;
            }
            if discovery_port.is_some() {
                fleet_spec.discovery_port = discovery_port;
            }
            if control.is_some() {
                fleet_spec.control = control;
            }
            let fleet = Fleet::start(fleet_spec).await?;
            let signals = watch_signals()?;
            for addr in fleet.addrs().await {
                say(&format!("listening on http://{addr}"))?;
            }
            if let Some(addr) = fleet.control_addr() {
                say(&format!("control on http://{addr}"))?;
            }
            say(&format!("fleet ready: {} devices", fleet.len()))?;
            signals.wait().await;
            fleet.shutdown().await;
            Ok(())
        }
    }
}

/// SIGINT and SIGTERM, watched from before the readiness line is printed: a harness that
/// signals as soon as it has read the line must find the handlers in place, or the default
/// action kills the process instead of a clean shutdown.
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

fn watch_signals() -> Result<Signals, Failure> {
    use tokio::signal::unix::{SignalKind, signal};
    Ok(Signals {
        interrupt: signal(SignalKind::interrupt())
            .map_err(|e| Failure::runtime(format!("cannot watch SIGINT: {e}")))?,
        terminate: signal(SignalKind::terminate())
            .map_err(|e| Failure::runtime(format!("cannot watch SIGTERM: {e}")))?,
    })
}

impl Signals {
    async fn wait(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}
