//! The key/value cache: per layer, keys and values of every position seen so far. It can be
//! truncated to any prefix, which is how editing, undo and branching reuse work: only the new
//! suffix of a sequence is ever computed.

use tch::{Device, Kind, Tensor};

/// Keys and values for all layers, [1, kv_heads, capacity, head_dim] each, of which the first
/// `len` positions are valid. Capacity grows by doubling up to the context length, so a short
/// prompt does not pay for an 8k-token cache.
pub struct KvCache {
    layers: Vec<(Tensor, Tensor)>,
    len: usize,
    capacity: usize,
    max: usize,
    kv_heads: i64,
    head_dim: i64,
    kind: Kind,
    device: Device,
}

impl KvCache {
    pub fn new(
        layers: usize,
        kv_heads: usize,
        head_dim: usize,
        max: usize,
        kind: Kind,
        device: Device,
    ) -> Self {
        let mut cache = Self {
            layers: Vec::with_capacity(layers),
            len: 0,
            capacity: 0,
            max,
            kv_heads: kv_heads as i64,
            head_dim: head_dim as i64,
            kind,
            device,
        };
        for _ in 0..layers {
            cache.layers.push((cache.empty(0), cache.empty(0)));
        }
        cache
    }

    fn empty(&self, capacity: usize) -> Tensor {
        Tensor::zeros(
            [1, self.kv_heads, capacity as i64, self.head_dim],
            (self.kind, self.device),
        )
    }

    /// Number of valid positions.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets every position from `len` on.
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// Makes room for `total` positions (call before writing them).
    pub fn reserve(&mut self, total: usize) {
        if total <= self.capacity {
            return;
        }
        let capacity = total
            .max(self.capacity * 2)
            .max(64)
            .min(self.max.max(total));
        for i in 0..self.layers.len() {
            let (k, v) = (self.empty(capacity), self.empty(capacity));
            if self.len > 0 {
                let n = self.len as i64;
                k.narrow(2, 0, n).copy_(&self.layers[i].0.narrow(2, 0, n));
                v.narrow(2, 0, n).copy_(&self.layers[i].1.narrow(2, 0, n));
            }
            self.layers[i] = (k, v);
        }
        self.capacity = capacity;
    }

    /// Writes `k`, `v` [1, kv_heads, n, head_dim] at positions `start..start+n` of `layer` and
    /// returns views of positions `0..start+n`.
    pub fn write(
        &mut self,
        layer: usize,
        start: usize,
        k: &Tensor,
        v: &Tensor,
    ) -> (Tensor, Tensor) {
        let n = k.size()[2];
        let (ck, cv) = &self.layers[layer];
        ck.narrow(2, start as i64, n).copy_(k);
        cv.narrow(2, start as i64, n).copy_(v);
        let end = start as i64 + n;
        (ck.narrow(2, 0, end), cv.narrow(2, 0, end))
    }

    /// The keys of `layer` at positions `0..len`, [1, kv_heads, len, head_dim] (a view).
    pub fn keys(&self, layer: usize, len: usize) -> Tensor {
        self.layers[layer].0.narrow(2, 0, len.min(self.len) as i64)
    }

    /// A copy of the first `len` positions (its own storage, room for one more), so a view can
    /// run a position again without touching this cache.
    pub fn copy_prefix(&self, len: usize) -> KvCache {
        let len = len.min(self.len);
        let mut copy = KvCache::new(
            self.layers.len(),
            self.kv_heads as usize,
            self.head_dim as usize,
            self.max,
            self.kind,
            self.device,
        );
        copy.reserve(len + 1);
        let n = len as i64;
        for (i, (k, v)) in self.layers.iter().enumerate() {
            copy.layers[i].0.narrow(2, 0, n).copy_(&k.narrow(2, 0, n));
            copy.layers[i].1.narrow(2, 0, n).copy_(&v.narrow(2, 0, n));
        }
        copy.len = len;
        copy
    }

    /// Layer `layer`'s keys and values as slices for a CPU decode step (see
    /// [`crate::model::step`]); `None` for a cache on a GPU or in another kind than float32.
    pub fn layer_f32(&mut self, layer: usize) -> Option<crate::model::step::LayerCache<'_>> {
        let (capacity, head_dim) = (self.capacity, self.head_dim as usize);
        let (k, v) = &mut self.layers[layer];
        Some(crate::model::step::LayerCache {
            k: crate::model::slices::f32s_mut(k)?,
            v: crate::model::slices::f32s_mut(v)?,
            capacity,
            head_dim,
        })
    }

    /// Whether [`Self::layer_f32`] gives slices: float32 on the CPU.
    pub fn is_cpu_f32(&self) -> bool {
        self.kind == Kind::Float && self.device == Device::Cpu
    }

    /// Marks positions `0..len` valid after every layer has written them.
    pub fn set_len(&mut self, len: usize) {
        self.len = len;
    }
}
