//! Embeds libtorch's lib folder as an rpath so `cargo run`, `cargo test` and the built binary find
//! libtorch without LD_LIBRARY_PATH (torch-sys sets no rpath on the final binary).
fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if let Ok(lt) = std::env::var("LIBTORCH") {
        let lib = std::path::Path::new(&lt).join("lib");
        let lib = lib.canonicalize().unwrap_or(lib);
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    }
}
