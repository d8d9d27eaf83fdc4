fn main() {
    std::process::exit(socket_tester::cli::main_entry());
}
