resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

module "tier" {
  source     = "./modules/tier"
  name       = "shop"
  vpc_id     = aws_vpc.main.id
  node_count = 2

  services = {
    api = {
      port  = 443
      cidrs = ["10.0.0.0/16"]
    }
    admin = {
      port  = 22
      cidrs = ["10.10.0.0/16"]
    }
  }
}
