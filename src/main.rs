fn main() {
    tokenscope::cli::exit(tokenscope::cli::main())
}
