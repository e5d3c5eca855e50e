// An open-addressing hash map for the aggregation tables.
//
// std::unordered_map allocates a node per entry and chases a pointer per
// lookup; with tens of thousands of hosts and conversations, and four lookups
// per packet, those cache misses were most of the per-packet cost. Here the
// entries sit in one array (linear probing, 64-bit hashes kept beside them so
// a probe rarely compares keys), at a load factor of at most 3/4.
//
// Iteration yields std::pair<const K, V>& like std::unordered_map. Unlike it,
// inserting may move entries: references and iterators are invalidated by
// operator[]/try_emplace when they grow the table, and by erase.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <new>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

namespace underhood {

template <typename K, typename V, typename Hash, typename Eq = std::equal_to<K>>
class FlatHashMap {
public:
    using key_type = K;
    using mapped_type = V;
    using value_type = std::pair<const K, V>;
    using size_type = size_t;

    template <bool Const>
    class Iter {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = FlatHashMap::value_type;
        using difference_type = std::ptrdiff_t;
        using reference = std::conditional_t<Const, const value_type&, value_type&>;
        using pointer = std::conditional_t<Const, const value_type*, value_type*>;

        Iter() = default;
        reference operator*() const { return map_->slots_[i_]; }
        pointer operator->() const { return &map_->slots_[i_]; }
        Iter& operator++()
        {
            i_ = map_->next_used(i_ + 1);
            return *this;
        }
        Iter operator++(int)
        {
            Iter t = *this;
            ++*this;
            return t;
        }
        bool operator==(const Iter& o) const { return i_ == o.i_; }
        operator Iter<true>() const { return Iter<true>(map_, i_); }

    private:
        friend class FlatHashMap;
        template <bool>
        friend class Iter;
        using Map = std::conditional_t<Const, const FlatHashMap, FlatHashMap>;
        Iter(Map* m, size_t i) : map_(m), i_(i) {}
        Map* map_ = nullptr;
        size_t i_ = 0;
    };
    using iterator = Iter<false>;
    using const_iterator = Iter<true>;

    FlatHashMap() = default;
    FlatHashMap(const FlatHashMap& o) { copy_from(o); }
    FlatHashMap(FlatHashMap&& o) noexcept { steal(o); }
    FlatHashMap& operator=(const FlatHashMap& o)
    {
        if (this != &o) {
            release();
            copy_from(o);
        }
        return *this;
    }
    FlatHashMap& operator=(FlatHashMap&& o) noexcept
    {
        if (this != &o) {
            release();
            steal(o);
        }
        return *this;
    }
    ~FlatHashMap() { release(); }

    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    size_t capacity() const { return cap_; }

    iterator begin() { return iterator(this, next_used(0)); }
    iterator end() { return iterator(this, cap_); }
    const_iterator begin() const { return const_iterator(this, next_used(0)); }
    const_iterator end() const { return const_iterator(this, cap_); }
    const_iterator cbegin() const { return begin(); }
    const_iterator cend() const { return end(); }

    iterator find(const K& key)
    {
        size_t i = locate(key, hash_of(key));
        return iterator(this, i == kNone ? cap_ : i);
    }
    const_iterator find(const K& key) const
    {
        size_t i = locate(key, hash_of(key));
        return const_iterator(this, i == kNone ? cap_ : i);
    }
    bool contains(const K& key) const { return locate(key, hash_of(key)) != kNone; }
    size_t count(const K& key) const { return contains(key) ? 1 : 0; }
    V& at(const K& key)
    {
        size_t i = locate(key, hash_of(key));
        if (i == kNone)
            throw std::out_of_range("FlatHashMap::at");
        return slots_[i].second;
    }
    const V& at(const K& key) const { return const_cast<FlatHashMap*>(this)->at(key); }

    template <typename... Args>
    std::pair<iterator, bool> try_emplace(const K& key, Args&&... args)
    {
        const uint64_t h = hash_of(key);
        size_t i = home(h);
        while (hashes_ && hashes_[i]) {
            if (hashes_[i] == h && eq_(slots_[i].first, key))
                return {iterator(this, i), false};
            i = (i + 1) & (cap_ - 1);
        }
        if ((size_ + 1) * 4 > cap_ * 3) {
            grow();
            i = home(h);
            while (hashes_[i])
                i = (i + 1) & (cap_ - 1);
        }
        ::new (static_cast<void*>(&slots_[i]))
            value_type(std::piecewise_construct, std::forward_as_tuple(key),
                       std::forward_as_tuple(std::forward<Args>(args)...));
        hashes_[i] = h;
        ++size_;
        return {iterator(this, i), true};
    }
    V& operator[](const K& key) { return try_emplace(key).first->second; }

    iterator erase(iterator it)
    {
        erase_at(it.i_);
        // Backward shift may have moved a later entry into this slot.
        return iterator(this, next_used(it.i_));
    }
    size_t erase(const K& key)
    {
        size_t i = locate(key, hash_of(key));
        if (i == kNone)
            return 0;
        erase_at(i);
        return 1;
    }
    template <typename Pred>
    size_t erase_if(Pred pred)
    {
        size_t removed = 0;
        for (size_t i = 0; i < cap_;) {
            if (hashes_[i] && pred(slots_[i])) {
                erase_at(i);
                ++removed;
                continue; // re-examine the entry shifted into i
            }
            ++i;
        }
        return removed;
    }
    void clear()
    {
        for (size_t i = 0; i < cap_; ++i)
            if (hashes_[i]) {
                slots_[i].~value_type();
                hashes_[i] = 0;
            }
        size_ = 0;
    }
    void reserve(size_t n)
    {
        while (n * 4 > cap_ * 3)
            grow();
    }

private:
    static constexpr size_t kNone = ~size_t(0);

    uint64_t hash_of(const K& key) const
    {
        uint64_t h = uint64_t(hash_(key));
        return h ? h : 1; // 0 marks an empty slot
    }
    // Fibonacci hashing spreads whatever bits the hash function varies.
    // An empty table (no slots yet) has no home for anything: 0, without
    // shifting by the full width.
    size_t home(uint64_t h) const { return cap_ ? size_t((h * 0x9E3779B97F4A7C15ull) >> shift_) : 0; }
    size_t locate(const K& key, uint64_t h) const
    {
        if (!size_)
            return kNone;
        for (size_t i = home(h);; i = (i + 1) & (cap_ - 1)) {
            if (!hashes_[i])
                return kNone;
            if (hashes_[i] == h && eq_(slots_[i].first, key))
                return i;
        }
    }
    size_t next_used(size_t i) const
    {
        while (i < cap_ && !hashes_[i])
            ++i;
        return i;
    }
    // Moves the entry in slot `from` to the empty slot `to`.
    void relocate(size_t from, size_t to)
    {
        ::new (static_cast<void*>(&slots_[to])) value_type(slots_[from].first, std::move(slots_[from].second));
        hashes_[to] = hashes_[from];
        slots_[from].~value_type();
        hashes_[from] = 0;
    }
    void erase_at(size_t i)
    {
        slots_[i].~value_type();
        hashes_[i] = 0;
        --size_;
        // Backward-shift deletion (no tombstones): pull later entries of the
        // cluster into the hole when their home is not between hole and them.
        size_t hole = i;
        for (size_t j = (i + 1) & (cap_ - 1); hashes_[j]; j = (j + 1) & (cap_ - 1)) {
            size_t h = home(hashes_[j]);
            bool movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
            if (movable) {
                relocate(j, hole);
                hole = j;
            }
        }
    }
    void grow()
    {
        const size_t old_cap = cap_;
        uint64_t* old_hashes = hashes_;
        value_type* old_slots = slots_;
        cap_ = old_cap ? old_cap * 2 : 16;
        shift_ = 64;
        for (size_t c = cap_; c > 1; c >>= 1)
            --shift_;
        hashes_ = new uint64_t[cap_]();
        slots_ = std::allocator<value_type>().allocate(cap_);
        for (size_t i = 0; i < old_cap; ++i) {
            if (!old_hashes[i])
                continue;
            size_t j = home(old_hashes[i]);
            while (hashes_[j])
                j = (j + 1) & (cap_ - 1);
            ::new (static_cast<void*>(&slots_[j])) value_type(old_slots[i].first, std::move(old_slots[i].second));
            hashes_[j] = old_hashes[i];
            old_slots[i].~value_type();
        }
        delete[] old_hashes;
        if (old_slots)
            std::allocator<value_type>().deallocate(old_slots, old_cap);
    }
    void release()
    {
        clear();
        delete[] hashes_;
        if (slots_)
            std::allocator<value_type>().deallocate(slots_, cap_);
        hashes_ = nullptr;
        slots_ = nullptr;
        cap_ = 0;
        shift_ = 64;
    }
    void steal(FlatHashMap& o)
    {
        hashes_ = o.hashes_;
        slots_ = o.slots_;
        cap_ = o.cap_;
        size_ = o.size_;
        shift_ = o.shift_;
        o.hashes_ = nullptr;
        o.slots_ = nullptr;
        o.cap_ = o.size_ = 0;
        o.shift_ = 64;
    }
    void copy_from(const FlatHashMap& o)
    {
        if (!o.cap_)
            return;
        cap_ = o.cap_;
        shift_ = o.shift_;
        hashes_ = new uint64_t[cap_]();
        slots_ = std::allocator<value_type>().allocate(cap_);
        for (size_t i = 0; i < cap_; ++i)
            if (o.hashes_[i]) {
                ::new (static_cast<void*>(&slots_[i])) value_type(o.slots_[i]);
                hashes_[i] = o.hashes_[i];
            }
        size_ = o.size_;
    }

    uint64_t* hashes_ = nullptr;
    value_type* slots_ = nullptr;
    size_t cap_ = 0;
    size_t size_ = 0;
    unsigned shift_ = 64;
    [[no_unique_address]] Hash hash_;
    [[no_unique_address]] Eq eq_;
};

template <typename K, typename V, typename H, typename E, typename Pred>
size_t erase_if(FlatHashMap<K, V, H, E>& m, Pred pred)
{
    return m.erase_if(pred);
}

} // namespace underhood
