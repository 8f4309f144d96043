# NetViz as a container image. Build: docker build -t netviz .
# Run it in the host's namespaces (see README.md, "Container image"):
#   docker run -d --name netviz --pid=host --network=host ... netviz
#
# The base images are build arguments, the official ones by default. Where no registry is reachable,
# scripts/build-image.sh builds local stand-ins first (scripts/build-base-images.sh: debootstrap plus the
# machine's node and .NET) and passes them here; ./test.sh builds and runs the image that way.
ARG NODE_IMAGE=node:20-bookworm-slim
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG ASPNET_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

# 1. The browser graph bundle (Cytoscape.js + esbuild) into src/NetViz.Web/wwwroot/js.
FROM ${NODE_IMAGE} AS frontend
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY src/NetViz.Web/Scripts/ src/NetViz.Web/Scripts/
RUN npm run build

# 2. The .NET app, published with the bundle from stage 1 (SkipNpmBuild: no node here).
FROM ${SDK_IMAGE} AS build
WORKDIR /src
COPY Directory.Build.props NetViz.sln ./
COPY src/NetViz.Core/NetViz.Core.csproj src/NetViz.Core/
COPY src/NetViz.Web/NetViz.Web.csproj src/NetViz.Web/
RUN dotnet restore src/NetViz.Web/NetViz.Web.csproj
COPY src/ src/
COPY --from=frontend /src/src/NetViz.Web/wwwroot/js/ src/NetViz.Web/wwwroot/js/
RUN dotnet publish src/NetViz.Web -c Release -o /app --no-restore -p:SkipNpmBuild=true -p:NetVizReadyToRun=false

# 3. Runtime: ASP.NET Core plus iptables, whose iptables-save NetViz reads for the NAT rules.
# It runs as the unprivileged user netviz. A non-root user gets no capabilities from `docker run --cap-add`
# (Docker 20.10 sets no ambient capabilities), so the programs that need them carry them as file capabilities:
# dotnet SYS_ADMIN (setns), SYS_PTRACE (/proc/PID/ns/net of other users' processes), DAC_READ_SEARCH
# (/var/run/docker/netns: /var/run/docker is root's alone) and NET_ADMIN (nftables change notifications,
# NFNLGRP_NFTABLES; without it NetViz polls iptables-save); nsenter, which starts iptables-save inside other
# namespaces for their rules, the first three; the iptables multi-call binaries NET_ADMIN (and NET_RAW
# for the legacy backend). A file capability is granted only if the container's bounding set holds it: run with
# --cap-drop ALL and the five --cap-add of README.md, and nothing else can be gained.
# apt-get runs only for what the base image lacks (all of it on the official one, nothing on the local one).
FROM ${ASPNET_IMAGE}
RUN missing="" \
    && for package in iptables libcap2-bin; do \
         dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$' \
           || missing="$missing $package"; done \
    && if [ -n "$missing" ]; then apt-get update && apt-get install -y --no-install-recommends $missing; fi \
    && setcap cap_sys_admin,cap_sys_ptrace,cap_dac_read_search,cap_net_admin+ep "$(readlink -f "$(command -v dotnet)")" \
    && setcap cap_sys_admin,cap_sys_ptrace,cap_dac_read_search+ep "$(readlink -f "$(command -v nsenter)")" \
    && for multi in /usr/sbin/xtables-nft-multi /usr/sbin/xtables-legacy-multi; do \
         if [ -e "$multi" ]; then setcap cap_net_admin,cap_net_raw+ep "$multi"; fi; done \
    && apt-get purge -y libcap2-bin && apt-get autoremove -y \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin netviz
WORKDIR /app
COPY --from=build /app ./
# No ASPNETCORE_URLS: appsettings.json binds 127.0.0.1:5000, which with --network=host is the
# host's loopback. Pass `--urls http://0.0.0.0:5000` after the image name for a team screen: a login token
# is then required, and the login URL is printed to the container's log (docker logs netviz | grep Login).
ENV ASPNETCORE_ENVIRONMENT=Production
USER netviz
EXPOSE 5000
ENTRYPOINT ["dotnet", "NetViz.Web.dll"]
