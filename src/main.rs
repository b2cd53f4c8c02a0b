fn main() {
    tokenscope::cli::keep_freed_memory();
    tokenscope::cli::exit(tokenscope::cli::main())
}
