# NetViz as a container image. Build: docker build -t netviz .
# Run it in the host's namespaces (see README.md, "Container image"):
#   docker run -d --name netviz --pid=host --network=host ... netviz

# 1. The browser graph bundle (Cytoscape.js + esbuild) into src/NetViz.Web/wwwroot/js.
FROM node:20-bookworm-slim AS frontend
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY src/NetViz.Web/Scripts/ src/NetViz.Web/Scripts/
RUN npm run build

# 2. The .NET app, published with the bundle from stage 1 (SkipNpmBuild: no node here).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props NetViz.sln ./
COPY src/NetViz.Core/NetViz.Core.csproj src/NetViz.Core/
COPY src/NetViz.Web/NetViz.Web.csproj src/NetViz.Web/
RUN dotnet restore src/NetViz.Web/NetViz.Web.csproj
COPY src/ src/
COPY --from=frontend /src/src/NetViz.Web/wwwroot/js/ src/NetViz.Web/wwwroot/js/
RUN dotnet publish src/NetViz.Web -c Release -o /app --no-restore -p:SkipNpmBuild=true

# 3. Runtime: ASP.NET Core plus iptables, whose iptables-save NetViz reads for the NAT rules.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update \
    && apt-get install -y --no-install-recommends iptables \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
# No ASPNETCORE_URLS: appsettings.json binds 127.0.0.1:5000, which with --network=host is the
# host's loopback. Pass `--urls http://0.0.0.0:5000` after the image name for a team screen.
ENV ASPNETCORE_ENVIRONMENT=Production
EXPOSE 5000
ENTRYPOINT ["dotnet", "NetViz.Web.dll"]
