# The everyday change: new instances in a network the plan does not manage, named by
# id only (the ids come from network.auto.tfvars.json).

variable "public_subnet_id" { type = string }
variable "private_subnet_id" { type = string }
variable "web_sg_id" { type = string }
variable "admin_sg_id" { type = string }

# Dual-stack, in the public subnet (public address on launch), in web and admin.
resource "aws_instance" "app" {
  ami                    = "ami-1e749f67"
  instance_type          = "t3.micro"
  subnet_id              = var.public_subnet_id
  private_ip             = "10.0.1.20"
  ipv6_address_count     = 1
  vpc_security_group_ids = [var.web_sg_id, var.admin_sg_id]
}

# In the private subnet, whose main route table has no route out: a public address
# buys nothing.
resource "aws_instance" "worker" {
  ami                         = "ami-1e749f67"
  instance_type               = "t3.micro"
  subnet_id                   = var.private_subnet_id
  private_ip                  = "10.0.2.20"
  associate_public_ip_address = true
  vpc_security_group_ids      = [var.web_sg_id]
}
