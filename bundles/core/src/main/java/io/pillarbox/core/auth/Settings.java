package io.pillarbox.core.auth;

/** The authenticator's configuration as plain values (built from {@link AuthConfig}, or directly in tests). */
record Settings(String defaultDomain, boolean appendDefaultDomain, boolean lowercaseUsers,
                int maxFailuresPerAddress, int maxFailuresPerUser, long failureWindowMillis, long lockoutMillis,
                long initialDelayMillis, long maxDelayMillis, int workerThreads, int queueSize, int maxTracked,
                long knownAddressMillis, Networks trustedNetworks, long cacheMillis) {

    static Settings defaults() {
        return new Settings("", false, false, 20, 10, 900_000, 900_000, 1000, 8000, 4, 512, 100_000, 30L * 86_400_000,
                Networks.none(), 0);
    }

    static Settings of(AuthConfig c) {
        return new Settings(c.defaultDomain() == null ? "" : c.defaultDomain().trim(), c.appendDefaultDomain(),
                c.lowercaseUsers(), Math.max(0, c.maxFailuresPerAddress()), Math.max(0, c.maxFailuresPerUser()),
                Math.max(1, c.failureWindowSeconds()) * 1000L, Math.max(0, c.lockoutSeconds()) * 1000L,
                Math.max(0, c.initialDelayMillis()), Math.max(0, c.maxDelayMillis()), Math.max(1, c.workerThreads()),
                Math.max(1, c.queueSize()), Math.max(100, c.maxTracked()),
                Math.max(0, c.knownAddressDays()) * 86_400_000L, Networks.parse(c.trustedNetworks()),
                Math.max(0, c.cacheSeconds()) * 1000L);
    }

    Settings withDelays(long initial, long max) {
        return new Settings(defaultDomain, appendDefaultDomain, lowercaseUsers, maxFailuresPerAddress,
                maxFailuresPerUser, failureWindowMillis, lockoutMillis, initial, max, workerThreads, queueSize, maxTracked, knownAddressMillis, trustedNetworks, cacheMillis);
    }

    Settings withLockout(int perAddress, int perUser, long windowMillis, long lockoutMillis) {
        return new Settings(defaultDomain, appendDefaultDomain, lowercaseUsers, perAddress, perUser, windowMillis,
                lockoutMillis, initialDelayMillis, maxDelayMillis, workerThreads, queueSize, maxTracked, knownAddressMillis, trustedNetworks, cacheMillis);
    }

    Settings withDomain(String domain, boolean append, boolean lowercase) {
        return new Settings(domain, append, lowercase, maxFailuresPerAddress, maxFailuresPerUser, failureWindowMillis,
                lockoutMillis, initialDelayMillis, maxDelayMillis, workerThreads, queueSize, maxTracked,
                knownAddressMillis, trustedNetworks, cacheMillis);
    }

    Settings withPool(int threads, int queue) {
        return new Settings(defaultDomain, appendDefaultDomain, lowercaseUsers, maxFailuresPerAddress,
                maxFailuresPerUser, failureWindowMillis, lockoutMillis, initialDelayMillis, maxDelayMillis,
                threads, queue, maxTracked, knownAddressMillis, trustedNetworks, cacheMillis);
    }

    Settings withKnownAddressMillis(long millis) {
        return new Settings(defaultDomain, appendDefaultDomain, lowercaseUsers, maxFailuresPerAddress,
                maxFailuresPerUser, failureWindowMillis, lockoutMillis, initialDelayMillis, maxDelayMillis,
                workerThreads, queueSize, maxTracked, millis, trustedNetworks, cacheMillis);
    }

    Settings withTrustedNetworks(String... cidrs) {
        return new Settings(defaultDomain, appendDefaultDomain, lowercaseUsers, maxFailuresPerAddress,
                maxFailuresPerUser, failureWindowMillis, lockoutMillis, initialDelayMillis, maxDelayMillis,
                workerThreads, queueSize, maxTracked, knownAddressMillis, Networks.parse(cidrs), cacheMillis);
    }

    Settings withCacheMillis(long millis) {
        return new Settings(defaultDomain, appendDefaultDomain, lowercaseUsers, maxFailuresPerAddress,
                maxFailuresPerUser, failureWindowMillis, lockoutMillis, initialDelayMillis, maxDelayMillis,
                workerThreads, queueSize, maxTracked, knownAddressMillis, trustedNetworks, millis);
    }
}
