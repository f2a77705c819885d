fn main() -> std::process::ExitCode {
    camswap::cli::main()
}
