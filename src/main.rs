use socket_tester::cli::{Invocation, main_entry};

fn main() {
    match main_entry() {
        Invocation::Gui => {
            // The desktop app is not built yet: show what the command line offers.
            let _ = <socket_tester::cli::Cli as clap::CommandFactory>::command().print_long_help();
        }
        Invocation::Exit(code) => std::process::exit(code),
    }
}
